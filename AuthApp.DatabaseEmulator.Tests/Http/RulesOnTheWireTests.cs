using System.Net;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>The REST features under rules: queries, shallow reads, conditional writes, server values, indexes.</summary>
public sealed class RulesOnTheWireTests(EmulatorFixture fixture)
{
    private const string Rules = """
        {
          "rules": {
            "items": { ".read": "auth != null", ".indexOn": ["price"], "$item": { ".read": true } },
            "inbox": { ".write": true, ".read": false },
            "stamps": { "$stamp": { ".write": true, ".validate": "newData.val() === now" } }
          }
        }
        """;

    [Fact]
    public async Task A_query_or_a_shallow_read_needs_the_grant_a_full_read_needs()
    {
        var db = await fixture.NewDatabaseAsync(Rules);
        await db.SeedAsync("items", """{"a": {"price": 1}, "b": {"price": 2}}""");

        var anonymousQuery = await db.GetAsync(Identity.Anonymous, "items", "orderBy=%22price%22&limitToFirst=1");
        var anonymousShallow = await db.GetAsync(Identity.Anonymous, "items", "shallow=true");
        var userQuery = await db.GetAsync(db.User("alice"), "items", "orderBy=%22price%22&limitToFirst=1");
        var anonymousChild = await db.GetAsync(Identity.Anonymous, "items/a");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousQuery.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousShallow.Status);
        Assert.Equal("""{"a":{"price":1}}""", userQuery.Json!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, anonymousChild.Status);
    }

    [Fact]
    public async Task Indexes_bind_the_admin_too()
    {
        Assert.SkipWhen(fixture.IsExternal, "The official emulator only warns about missing indexes.");
        var db = await fixture.NewDatabaseAsync(Rules);

        var reply = await db.GetAsync(Identity.Admin, "items", "orderBy=%22name%22");

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Index not defined, add \".indexOn\": \"name\", for path \"/items\", to the rules", reply.Error);
    }

    [Fact]
    public async Task A_failed_precondition_shows_the_current_value_only_to_a_caller_who_may_read_it()
    {
        Assert.SkipWhen(fixture.IsExternal, "This emulator's stricter reading.");
        var db = await fixture.NewDatabaseAsync(Rules);
        await db.SeedAsync("inbox/m1", "\"secret\"");

        using var request = new HttpRequestMessage(HttpMethod.Put, $"/inbox/m1.json?ns={db.Namespace}")
        {
            Content = new StringContent("\"overwrite\""),
        };
        request.Headers.TryAddWithoutValidation("if-match", "not-the-etag");
        using var response = await fixture.Http.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("\"secret\"", (await db.ReadAsync("inbox/m1"))!.ToJsonString());
    }

    [Fact]
    public async Task A_server_timestamp_is_resolved_before_validation_and_equals_now()
    {
        var db = await fixture.NewDatabaseAsync(Rules);

        var stamped = await db.PutAsync(Identity.Anonymous, "stamps/s1", """{".sv": "timestamp"}""");
        var forged = await db.PutAsync(Identity.Anonymous, "stamps/s2", "12345");

        Assert.Equal(HttpStatusCode.OK, stamped.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
    }
}
