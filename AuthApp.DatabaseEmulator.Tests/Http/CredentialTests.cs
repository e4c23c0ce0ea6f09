using System.Buffers.Text;
using System.Net;
using System.Text;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>How a REST client authenticates: the admin credential, a user's ID token (header or <c>?auth=</c>), or nothing.</summary>
public sealed class CredentialTests(EmulatorFixture fixture)
{
    private const string OwnOnly = """
        {"rules": {"users": {"$uid": {".read": "auth != null && auth.uid === $uid", ".write": "auth != null && auth.uid === $uid"}}}}
        """;

    [Fact]
    public async Task The_owner_credential_bypasses_the_rules()
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {".read": false, ".write": false}}""");
        var viaQuery = new Identity("admin via access_token");

        var write = await db.PutAsync(Identity.Admin, "anything/at/all", "\"x\"");
        var read = await db.GetAsync(Identity.Admin, "anything");
        var readViaQuery = await db.SendAsync(HttpMethod.Get, viaQuery, "anything", null, "access_token=owner");

        Assert.Equal(HttpStatusCode.OK, write.Status);
        Assert.Equal("""{"at":{"all":"x"}}""", read.Json!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, readViaQuery.Status);
    }

    [Fact]
    public async Task A_user_signs_in_with_an_ID_token_in_the_authorization_header_or_the_auth_parameter()
    {
        var db = await fixture.NewDatabaseAsync(OwnOnly);

        var viaHeader = await db.PutAsync(Identity.User("alice", db.Clock), "users/alice/name", "\"Alice\"");
        var viaQuery = await db.GetAsync(Identity.UserViaQuery("alice", db.Clock), "users/alice/name");

        Assert.Equal(HttpStatusCode.OK, viaHeader.Status);
        Assert.Equal("\"Alice\"", viaQuery.Body);
    }

    [Fact]
    public async Task Without_credentials_auth_is_null()
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {"open": {".read": "auth == null"}, "users": {".read": "auth != null"}}}""");

        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(Identity.Anonymous, "open")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(Identity.Anonymous, "users")).Status);
    }

    [Fact]
    public async Task A_denied_request_is_401_permission_denied_and_writes_nothing()
    {
        var db = await fixture.NewDatabaseAsync(OwnOnly);
        await db.SeedAsync("users/bob/name", "\"Bob\"");

        var put = await db.PutAsync(db.User("alice"), "users/bob/name", "\"Mallory\"");
        var patch = await db.PatchAsync(db.User("alice"), "users", """{"alice/name": "A", "bob/name": "Mallory"}""");
        var delete = await db.DeleteAsync(Identity.Anonymous, "users/bob");
        var post = await db.PostAsync(db.User("alice"), "users/bob/inbox", "\"spam\"");

        Assert.All([put, patch, delete, post], reply =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
            Assert.Equal("Permission denied", reply.Error);
        });
        Assert.Equal("""{"bob":{"name":"Bob"}}""", (await db.ReadAsync("users"))!.ToJsonString());
    }

    [Fact]
    public async Task The_denial_body_is_firebases_exact_text()
    {
        Assert.SkipWhen(fixture.IsExternal, "This emulator's wire text.");
        var db = await fixture.NewDatabaseAsync(OwnOnly);

        var reply = await db.GetAsync(Identity.Anonymous, "users/alice");

        Assert.Equal("""{"error":"Permission denied"}""", reply.Body);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        Assert.SkipWhen(fixture.IsExternal, "This emulator's stricter reading (the docs do not say what an emulator does with exp).");
        var db = await fixture.NewDatabaseAsync(OwnOnly);
        var expired = new Identity("expired", BearerToken: Identity.TokenFor("alice", db.Clock, lifetime: TimeSpan.FromMinutes(-5)));

        var reply = await db.GetAsync(expired, "users/alice");

        Assert.Equal(HttpStatusCode.Unauthorized, reply.Status);
    }

    public static TheoryData<string, string> MalformedTokens { get; } = new()
    {
        { "not a jwt", "garbage" },
        { "two parts", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0" },
        { "four parts", "a.b.c.d" },
        { "bad base64url", "e$J.e$J." },
        { "payload not JSON", $"{B64("{\"alg\":\"none\"}")}.{B64("not json")}." },
        { "payload an array", $"{B64("{\"alg\":\"none\"}")}.{B64("[1]")}." },
        { "header not JSON", $"{B64("nope")}.{B64("{\"sub\":\"a\",\"exp\":99999999999}")}." },
        { "no sub", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"exp\":99999999999}")}." },
        { "sub a number", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":5,\"exp\":99999999999}")}." },
        { "empty sub", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"\",\"exp\":99999999999}")}." },
        { "no exp", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\"}")}." },
        { "exp a string", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\",\"exp\":\"soon\"}")}." },
        { "lone surrogate in a claim", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\",\"exp\":99999999999,\"x\":\"\\ud800\"}")}." },
        { "invalid UTF-8", $"{B64("{\"alg\":\"none\"}")}.{Base64Url.EncodeToString([.. "{\"sub\":\""u8, 0xff, .. "\",\"exp\":99999999999}"u8])}." },
        { "duplicate claim", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\",\"sub\":\"b\",\"exp\":99999999999}")}." },
        { "number out of range", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\",\"exp\":1e999}")}." },
        { "deeply nested", $"{B64("{\"alg\":\"none\"}")}.{B64("{\"sub\":\"a\",\"exp\":99999999999,\"x\":" + new string('[', 100) + new string(']', 100) + "}")}." },
        { "too long", new string('a', 9000) },
    };

    [Theory]
    [MemberData(nameof(MalformedTokens))]
    public async Task A_token_that_cannot_be_decoded_is_a_401_never_a_500(string what, string token)
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {".read": true}}""");

        var viaHeader = await db.GetAsync(new Identity(what, BearerToken: token), "x");
        var viaQuery = await db.GetAsync(new Identity(what, AuthParameter: token), "x");

        // The official emulator may read some of these differently; it must not fail on them either.
        Assert.SkipWhen(fixture.IsExternal && (int)viaHeader.Status < 500 && (int)viaQuery.Status < 500, "This emulator's stricter reading.");
        Assert.Equal(HttpStatusCode.Unauthorized, viaHeader.Status);

        // A token longer than the server's request line limit may get 414 before the rules see it: a 4xx either way.
        Assert.InRange((int)viaQuery.Status, 400, 499);
        if (!fixture.IsExternal)
        {
            Assert.Equal("Could not parse auth token.", viaHeader.Error);
        }
    }

    [Fact]
    public async Task Credentials_this_emulator_cannot_check_are_refused_not_guessed()
    {
        Assert.SkipWhen(fixture.IsExternal, "This emulator's stricter reading.");
        var db = await fixture.NewDatabaseAsync("""{"rules": {".read": true}}""");
        var token = Identity.TokenFor("alice", db.Clock);

        var basic = await SendWithHeaderAsync(db, "Basic YWxpY2U6c2VjcmV0");
        var emptyBearer = await SendWithHeaderAsync(db, "Bearer ");
        var googleToken = await db.SendAsync(HttpMethod.Get, Identity.Anonymous, "x", null, "access_token=ya29.something");
        var both = await db.SendAsync(HttpMethod.Get, new Identity("both", BearerToken: "owner"), "x", null, $"auth={token}");

        Assert.All([basic, emptyBearer, googleToken, both], reply => Assert.Equal(HttpStatusCode.Unauthorized, reply.Status));
        Assert.Equal("Unauthorized request: send one credential (Authorization, auth= or access_token=), not several.", both.Error);
    }

    private async Task<Reply> SendWithHeaderAsync(RulesDatabase db, string authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/x.json?ns={db.Namespace}");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static string B64(string text) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
}
