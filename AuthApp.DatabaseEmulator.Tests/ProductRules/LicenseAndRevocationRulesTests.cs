using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;
using static AuthApp.DatabaseEmulator.Tests.ProductRules.UserDataRulesTests;

namespace AuthApp.DatabaseEmulator.Tests.ProductRules;

/// <summary>
/// The conditions every client grant on a user's data carries besides ownership: a licensed account
/// (<c>verifiedAccess === true</c>, written by the server at signup) and a sign-in (<c>auth_time</c>) at or after the
/// account's <c>revokedBefore</c>; then the numeric bounds that need the clock, and unknown children.
/// </summary>
public sealed class LicenseAndRevocationRulesTests(EmulatorFixture fixture)
{
    /// <summary>Owners whose record does not say <c>verifiedAccess: true</c>: false, missing, or true as text.</summary>
    private static readonly string[] UnlicensedOwners = ["carol", "dave", "erin"];

    /// <summary>alice's and bob's data, plus carol (flag false), dave (no flag, as a client's own sign-up) and erin (flag "true").</summary>
    private async Task<RulesDatabase> SeededWithUnlicensedAsync()
    {
        var db = await ProductData.SeededAsync(fixture);
        foreach (var uid in UnlicensedOwners)
        {
            await db.SeedAsync($"users/{uid}", ProductData.UserDocument(uid));
        }

        await db.SeedAsync("users/carol/verifiedAccess", "false");
        Assert.Equal(HttpStatusCode.OK, (await db.DeleteAsync(Identity.Admin, "users/dave/verifiedAccess")).Status);
        await db.SeedAsync("users/erin/verifiedAccess", "\"true\"");
        return db;
    }

    private static long Now(RulesDatabase db) => db.Clock.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The owner's ID token with a chosen sign-in time (null: the claim is null).</summary>
    private static Identity SignedInAt(RulesDatabase db, string uid, long? authTime) =>
        new($"{uid}@{authTime?.ToString(CultureInfo.InvariantCulture) ?? "null"}",
            BearerToken: Identity.TokenFor(uid, db.Clock, claims: new JsonObject { ["auth_time"] = authTime }));

    [Theory]
    [MemberData(nameof(ProductData.OwnerReadable), MemberType = typeof(ProductData))]
    public async Task An_unlicensed_owner_cannot_read_their_own(string path)
    {
        var db = await SeededWithUnlicensedAsync();

        foreach (var uid in UnlicensedOwners)
        {
            var reply = await db.GetAsync(db.User(uid), $"users/{uid}/{path}");
            Assert.True(reply.Status == HttpStatusCode.Unauthorized, $"{uid} read {path}: {reply}");
        }
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerWritable), MemberType = typeof(ProductData))]
    public async Task An_unlicensed_owner_cannot_write_their_own(string path, string json)
    {
        var db = await SeededWithUnlicensedAsync();

        foreach (var uid in UnlicensedOwners)
        {
            await AssertRefusedAsync(db, db.User(uid), HttpMethod.Put, $"users/{uid}/{path}", json);
            await AssertRefusedAsync(db, db.User(uid), HttpMethod.Delete, $"users/{uid}/{path}", null);
        }
    }

    [Theory]
    [InlineData("verifiedAccess", "true")]
    [InlineData("revokedBefore", "0")]
    public async Task An_unlicensed_owner_cannot_give_itself_access(string field, string json)
    {
        var db = await SeededWithUnlicensedAsync();

        foreach (var uid in UnlicensedOwners)
        {
            await AssertRefusedAsync(db, db.User(uid), HttpMethod.Put, $"users/{uid}/{field}", json);
            await AssertRefusedAsync(db, db.User(uid), HttpMethod.Patch, $"users/{uid}", $$"""{"{{field}}": {{json}}, "name": "Me"}""");
        }
    }

    [Fact]
    public async Task A_licensed_owner_without_any_revocation_is_admitted()
    {
        var db = await ProductData.SeededAsync(fixture);
        Assert.Equal(HttpStatusCode.OK, (await db.DeleteAsync(Identity.Admin, "users/alice/revokedBefore")).Status);

        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(db.User("alice"), "users/alice/venues")).Status);
        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(db.User("alice"), "users/alice/name", "\"Alice\"")).Status);
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerReadable), MemberType = typeof(ProductData))]
    public async Task A_token_signed_in_before_the_revocation_cannot_read(string path)
    {
        var db = await ProductData.SeededAsync(fixture);
        await db.SeedAsync("users/alice/revokedBefore", Now(db).ToString(CultureInfo.InvariantCulture));

        var reply = await db.GetAsync(SignedInAt(db, "alice", Now(db) - 1), $"users/alice/{path}");

        Assert.True(reply.Status == HttpStatusCode.Unauthorized, $"read {path}: {reply}");
    }

    [Theory]
    [MemberData(nameof(ProductData.OwnerWritable), MemberType = typeof(ProductData))]
    public async Task A_token_signed_in_before_the_revocation_cannot_write(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);
        await db.SeedAsync("users/alice/revokedBefore", Now(db).ToString(CultureInfo.InvariantCulture));
        var revoked = SignedInAt(db, "alice", Now(db) - 1);

        await AssertRefusedAsync(db, revoked, HttpMethod.Put, $"users/alice/{path}", json);
        await AssertRefusedAsync(db, revoked, HttpMethod.Delete, $"users/alice/{path}", null);
    }

    /// <summary>The comparison Firebase's <c>validSince</c> makes: a sign-in in the very second of the revocation is admitted.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3600)]
    public async Task A_token_signed_in_at_or_after_the_revocation_is_admitted(int secondsAfter)
    {
        var db = await ProductData.SeededAsync(fixture);
        var revokedBefore = Now(db) - 3600;
        await db.SeedAsync("users/alice/revokedBefore", revokedBefore.ToString(CultureInfo.InvariantCulture));
        var token = SignedInAt(db, "alice", revokedBefore + secondsAfter);

        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(token, "users/alice/venues")).Status);
        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(token, "users/alice/venues/Living/Lamp", "\"off\"")).Status);
    }

    [Fact]
    public async Task A_token_without_a_sign_in_time_is_refused_once_the_account_was_revoked()
    {
        var db = await ProductData.SeededAsync(fixture);
        var token = SignedInAt(db, "alice", null);

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(token, "users/alice/venues")).Status);
        await AssertRefusedAsync(db, token, HttpMethod.Put, "users/alice/name", "\"Alice\"");
    }

    [Fact]
    public async Task A_revoked_token_cannot_lift_its_own_revocation()
    {
        var db = await ProductData.SeededAsync(fixture);
        await db.SeedAsync("users/alice/revokedBefore", Now(db).ToString(CultureInfo.InvariantCulture));
        var revoked = SignedInAt(db, "alice", Now(db) - 1);

        await AssertRefusedAsync(db, revoked, HttpMethod.Delete, "users/alice/revokedBefore", null);
        await AssertRefusedAsync(db, revoked, HttpMethod.Put, "users/alice/revokedBefore", "0");
        await AssertRefusedAsync(db, revoked, HttpMethod.Patch, "users/alice", """{"revokedBefore": null, "name": "Alice"}""");
    }

    [Fact]
    public async Task One_users_revocation_leaves_another_user_alone()
    {
        var db = await ProductData.SeededAsync(fixture);
        await db.SeedAsync("users/alice/revokedBefore", (Now(db) + 60).ToString(CultureInfo.InvariantCulture));

        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(db.User("alice"), "users/alice/venues")).Status);
        Assert.Equal(HttpStatusCode.OK, (await db.GetAsync(db.User("bob"), "users/bob/venues")).Status);
    }

    /// <summary>
    /// <c>lastNotified</c> is epoch seconds, from 0 to a day past <c>now</c> (the rules' <c>now</c> is milliseconds); a
    /// minute either side of the limit, so that the test also holds against an emulator on the real clock.
    /// </summary>
    [Fact]
    public async Task LastNotified_may_be_at_most_a_day_ahead_of_now()
    {
        var db = await ProductData.SeededAsync(fixture);
        var path = "users/alice/schedules/Living/Lamp/lastNotified";
        var limit = Now(db) + 86_400;

        Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(db.User("alice"), path, (limit - 60).ToString(CultureInfo.InvariantCulture))).Status);
        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, path, (limit + 60).ToString(CultureInfo.InvariantCulture));
        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, path, (Now(db) * 1000).ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Where the layout is fixed, a child it does not name is refused, at every depth.</summary>
    [Theory]
    [InlineData("nickname", "\"Al\"")]
    [InlineData("name/first", "\"A\"")]
    [InlineData("fcmToken/x", "\"A\"")]
    [InlineData("timeZone/x", "\"UTC\"")]
    [InlineData("venues/Living/Lamp/brightness", "\"3\"")]
    [InlineData("venues/Living/faults/detail", "\"x\"")]
    [InlineData("venues/Living/__created/x", "true")]
    [InlineData("schedules/Living/Lamp/color", "\"red\"")]
    [InlineData("schedules/Living/Lamp/time/x", "\"07:30\"")]
    [InlineData("schedules/Living/Lamp/lastNotified/x", "1")]
    [InlineData("monitoring_venues/Kitchen/temperature/unit", "\"C\"")]
    public async Task An_unknown_child_is_refused(string path, string json)
    {
        var db = await ProductData.SeededAsync(fixture);

        await AssertRefusedAsync(db, db.User("alice"), HttpMethod.Put, $"users/alice/{path}", json);
    }

    [Fact]
    public async Task The_admin_still_writes_a_revocation_and_the_license_flag()
    {
        var db = await ProductData.SeededAsync(fixture);

        var update = await db.PatchAsync(Identity.Admin, "users/alice",
            $$"""{"verifiedAccess": false, "revokedBefore": {{Now(db)}}, "revokedTokens/{{ProductData.RevokedTokenHash}}": {{Now(db) + 3600}}}""");

        Assert.Equal(HttpStatusCode.OK, update.Status);
        Assert.Equal(JsonValue.Create(false).ToJsonString(), (await db.ReadAsync("users/alice/verifiedAccess"))!.ToJsonString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await db.GetAsync(db.User("alice"), "users/alice/venues")).Status);
    }
}
