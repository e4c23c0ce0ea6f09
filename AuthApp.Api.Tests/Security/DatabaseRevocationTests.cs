using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Security;

/// <summary>
/// The database rules as the first wall, with the API: the product's rules are loaded into this test's namespace, and
/// clients send their own requests to the database with their ID tokens, as the mobile apps and devices do. An account
/// made with Identity Toolkit's public sign-up is refused at the database and by the API; after logout or account
/// deletion the old ID token is refused at the database too, and a token signed in during the very second of its
/// logout is refused by the API.
/// </summary>
public sealed class DatabaseRevocationTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private ApiFactory _api = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private DatabaseEmulatorFixture Database => dependencies.Database;

    public async ValueTask InitializeAsync()
    {
        _api = new ApiFactory(dependencies);
        await Database.UseProductRulesAsync(_api.Namespace);
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    /// <summary>A client's own write to its venues, straight to the database: the status.</summary>
    private async Task<HttpStatusCode> WriteVenueDirectlyAsync(string uid, string idToken, string venue) =>
        (await Database.SendAsClientAsync(_api.Namespace, HttpMethod.Put, $"users/{uid}/venues/{venue}", idToken, new JsonObject { ["__created"] = true })).Status;

    private async Task<HttpStatusCode> ReadDirectlyAsync(string uid, string idToken, string field) =>
        (await Database.SendAsClientAsync(_api.Namespace, HttpMethod.Get, $"users/{uid}/{field}", idToken)).Status;

    private static long AuthTimeOf(string idToken) => (long)IdTokens.DecodePayload(idToken)["auth_time"]!;

    [Fact]
    public async Task An_account_made_with_the_public_sign_up_is_refused_at_the_database_and_by_the_api()
    {
        // What anyone holding the app's public web key can do, without the API and without a license key.
        using var http = new HttpClient();
        using var signUp = await http.PostAsJsonAsync(
            $"http://{dependencies.AuthHost}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=public-web-key",
            new { email = ApiUsers.NewEmail("direct"), password = ApiUsers.Password, returnSecureToken = true }, Cancellation);
        signUp.EnsureSuccessStatusCode();
        var account = (await signUp.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        var (uid, idToken) = ((string)account["localId"]!, (string)account["idToken"]!);

        Assert.Equal(HttpStatusCode.Unauthorized, await WriteVenueDirectlyAsync(uid, idToken, "Home"));
        foreach (var (path, value) in new (string, JsonNode)[]
        {
            ("name", "Mallory"),
            ("verifiedAccess", true),
            ("schedules/Home/Lamp", new JsonObject { ["time"] = "07:30", ["action"] = "on", ["status"] = "enable" }),
            ("monitoring_venues/Home/temperature", "21"),
        })
        {
            var write = await Database.SendAsClientAsync(_api.Namespace, HttpMethod.Put, $"users/{uid}/{path}", idToken, value);
            Assert.True(write.Status == HttpStatusCode.Unauthorized, $"{path}: {write}");
        }

        foreach (var field in new[] { "venues", "schedules", "name", "email", "verifiedAccess" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await ReadDirectlyAsync(uid, idToken, field));
        }

        Assert.Null(await _api.ReadDatabaseAsync($"users/{uid}"));
        using var client = _api.CreateClient(idToken);
        using var schedule = await client.PostAsJsonAsync("/auth/set_schedule",
            new { venue = "Home", device = "Lamp", time = "07:30 AM", action = "on" }, Cancellation);
        await AssertProblemAsync(schedule, HttpStatusCode.Forbidden, "no_license");
        using var profile = await client.GetAsync("/auth/profile", Cancellation);
        var problem = await AssertProblemAsync(profile, HttpStatusCode.Forbidden, "no_license");
        Assert.Equal("Access Denied: No License Token", (string?)problem["error"]);
    }

    [Fact]
    public async Task After_logout_the_old_token_and_tokens_refreshed_from_it_are_refused_at_the_database_and_by_the_api()
    {
        using var user = await _api.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, await WriteVenueDirectlyAsync(user.Uid, user.IdToken, "Hall")); // the rules admit a licensed owner
        await WallClock.UntilSecondAfterAsync(DateTimeOffset.FromUnixTimeSeconds(AuthTimeOf(user.IdToken)));

        (await user.Client.PostAsync("/auth/logout", null, Cancellation)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.Unauthorized, await WriteVenueDirectlyAsync(user.Uid, user.IdToken, "Attic"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadDirectlyAsync(user.Uid, user.IdToken, "venues"));
        using var viaApi = await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "Cellar" }, Cancellation);
        await AssertProblemAsync(viaApi, HttpStatusCode.Unauthorized, "token_revoked");

        // The Auth emulator never revokes refresh tokens: a token refreshed now keeps the revoked sign-in's auth_time.
        using var refresh = await _api.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation);
        if (refresh.StatusCode == HttpStatusCode.OK)
        {
            var refreshed = (string)(await refresh.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["idToken"]!;
            Assert.Equal(HttpStatusCode.Unauthorized, await WriteVenueDirectlyAsync(user.Uid, refreshed, "Attic"));
        }

        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Attic"));
        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Cellar"));

        // A new sign-in is the owner again.
        var (fresh, _) = await _api.SignInAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.OK, await WriteVenueDirectlyAsync(user.Uid, fresh, "Attic"));
    }

    /// <summary>
    /// The reproduction: login, logout, then add_venue with the old token 2 s later was a 200, because
    /// <c>validSince</c> (and so <c>revokedBefore</c>) cannot order a sign-in and a logout within one second. The
    /// attempt is repeated until the sign-in and the logout really fall in one second (checked from what Auth and
    /// the database recorded), so that only the logout's own list of tokens can refuse it.
    /// </summary>
    [Fact]
    public async Task A_token_logged_out_in_the_second_of_its_sign_in_is_refused_by_the_api()
    {
        using var user = await _api.SignUpAsync();
        string? token = null;
        DateTimeOffset loggedOut = default;
        for (var attempt = 0; attempt < 5 && token is null; attempt++)
        {
            await WallClock.UntilSecondAfterAsync(DateTimeOffset.UtcNow);
            var (idToken, _) = await _api.SignInAsync(user.Email, user.Password);
            using var signedIn = _api.CreateClient(idToken);
            using var logout = await signedIn.PostAsync("/auth/logout", null, Cancellation);
            loggedOut = DateTimeOffset.UtcNow;
            Assert.Equal(HttpStatusCode.OK, logout.StatusCode);

            var authTime = AuthTimeOf(idToken);
            var revokedBefore = (long)(await _api.ReadDatabaseAsync($"users/{user.Uid}/revokedBefore"))!;
            var validSince = long.Parse((string)(await LookUpAsync(user.Uid))["validSince"]!, System.Globalization.CultureInfo.InvariantCulture);
            if (revokedBefore <= authTime && validSince <= authTime)
            {
                token = idToken;
            }
        }

        Assert.True(token is not null, "no sign-in and logout fell within one second in five attempts");
        using var client = _api.CreateClient(token);
        using var first = await client.PostAsJsonAsync("/auth/add_venue", new { venue = "Attic" }, Cancellation);
        await AssertProblemAsync(first, HttpStatusCode.Unauthorized, "token_revoked");

        // Two seconds on, past the access record's freshness (its background refresh re-reads Auth and the database).
        await WallClock.UntilSecondAfterAsync(loggedOut.AddSeconds(1));
        using var later = await client.PostAsJsonAsync("/auth/add_venue", new { venue = "Attic" }, Cancellation);
        await AssertProblemAsync(later, HttpStatusCode.Unauthorized, "token_revoked");
        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Attic"));

        // What remains, documented in firebase/README.md: the rules cannot hash a token, so at the database this one
        // token passes until it expires (its sign-in is not before revokedBefore).
        Assert.Equal(HttpStatusCode.OK, await WriteVenueDirectlyAsync(user.Uid, token, "Attic"));
    }

    [Fact]
    public async Task After_account_deletion_the_old_tokens_direct_write_is_refused()
    {
        using var user = await _api.SignUpAsync();
        Assert.Equal(HttpStatusCode.OK, await WriteVenueDirectlyAsync(user.Uid, user.IdToken, "Hall"));

        using var deleted = await user.Client.DeleteAsync("/auth/account", Cancellation);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        // No worker runs here: the record stays until the queued clean-up deletes it, without its license.
        Assert.Equal("false", (await _api.ReadDatabaseAsync($"users/{user.Uid}/verifiedAccess"))?.ToJsonString());
        Assert.NotNull(await _api.ReadDatabaseAsync($"users/{user.Uid}/revokedBefore"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WriteVenueDirectlyAsync(user.Uid, user.IdToken, "Attic"));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadDirectlyAsync(user.Uid, user.IdToken, "venues"));
        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Attic"));
    }

    private async Task<JsonObject> LookUpAsync(string uid)
    {
        var found = await dependencies.Auth.CallAsync(HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:lookup",
            new JsonObject { ["localId"] = new JsonArray(uid) });
        return found!["users"]![0]!.AsObject();
    }
}
