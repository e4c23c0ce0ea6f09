using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Security;

/// <summary>
/// Logout, deletion, disabling and a password change stop every earlier ID token on every replica within 2 s; account
/// deletion needs a recent sign-in. Two API instances over one Redis and one database play the two replicas.
/// </summary>
public sealed class RevocationTests(ApiDependencies dependencies) : TwoReplicaTests(dependencies)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    /// <summary>A user whose token both replicas have already accepted (their caches are warm), a second later.</summary>
    private async Task<(ApiUser User, HttpClient OnSecond)> SignedInOnBothAsync()
    {
        var user = await First.SignUpAsync();
        var onSecond = Second.CreateClient(user.IdToken);
        (await user.Client.GetAsync("/auth/profile", Cancellation)).EnsureSuccessStatusCode();
        (await onSecond.GetAsync("/auth/profile", Cancellation)).EnsureSuccessStatusCode();
        await WallClock.UntilSecondAfterAsync(DateTimeOffset.UtcNow);
        return (user, onSecond);
    }

    private static async Task AssertRefusedWithinAsync(HttpClient client, string path, TimeSpan bound, string code = "token_revoked")
    {
        if (bound == TimeSpan.Zero)
        {
            // At once: the very first request is refused, however long a loaded machine takes to answer it.
            using var first = await client.GetAsync(path, Cancellation);
            await AssertProblemAsync(first, HttpStatusCode.Unauthorized, code);
            return;
        }

        var started = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync(path, Cancellation);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, $"{path} still accepted the token after {bound}", bound + TimeSpan.FromSeconds(1));
        Assert.True(DateTimeOffset.UtcNow - started <= bound + TimeSpan.FromMilliseconds(300), $"refused only after {DateTimeOffset.UtcNow - started}");
        using var refused = await client.GetAsync(path, Cancellation);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, code);
    }

    [Fact]
    public async Task Logout_on_one_replica_stops_the_earlier_token_on_both_at_once()
    {
        var (user, onSecond) = await SignedInOnBothAsync();
        using var _ = user;
        using var __ = onSecond;

        var loggedOut = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        (await user.Client.PostAsync("/auth/logout", null, Cancellation)).EnsureSuccessStatusCode();

        await AssertRefusedWithinAsync(user.Client, "/auth/profile", TimeSpan.Zero);
        await AssertRefusedWithinAsync(onSecond, "/auth/get_schedules", TimeSpan.FromSeconds(1));
        // Firebase's own record: every refresh token issued before the logout is revoked.
        var account = await Dependencies.Auth.LookUpAsync(user.Uid);
        Assert.True(long.Parse((string)account!["validSince"]!, System.Globalization.CultureInfo.InvariantCulture) >= loggedOut, "validSince was not moved forward");
        // A new sign-in after the logout is accepted.
        var (fresh, _) = await First.SignInAsync(user.Email, user.Password);
        using var again = Second.CreateClient(fresh);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/auth/profile", Cancellation)).StatusCode);
    }

    [Fact]
    public async Task A_token_refreshed_after_logout_is_still_refused_because_its_sign_in_was_revoked()
    {
        var (user, onSecond) = await SignedInOnBothAsync();
        using var _ = user;
        using var __ = onSecond;
        (await user.Client.PostAsync("/auth/logout", null, Cancellation)).EnsureSuccessStatusCode();

        // The Auth emulator never revokes refresh tokens; the refreshed token keeps the revoked sign-in's auth_time.
        using var refresh = await First.CreateClient().PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation);
        if (refresh.StatusCode == HttpStatusCode.OK)
        {
            var idToken = (string)(await refresh.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["idToken"]!;
            using var refreshed = Second.CreateClient(idToken);
            await AssertRefusedWithinAsync(refreshed, "/auth/profile", TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task Disabling_the_account_in_the_console_stops_its_tokens_on_both_replicas_within_twoSeconds()
    {
        var (user, onSecond) = await SignedInOnBothAsync();
        using var _ = user;
        using var __ = onSecond;

        await Dependencies.Auth.CallAsync(HttpMethod.Post, $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:update",
            new JsonObject { ["localId"] = user.Uid, ["disableUser"] = true });

        await AssertRefusedWithinAsync(user.Client, "/auth/profile", Bound);
        await AssertRefusedWithinAsync(onSecond, "/auth/profile", Bound);
    }

    [Fact]
    public async Task Revoking_outside_the_api_as_a_password_change_does_stops_earlier_tokens_within_twoSeconds()
    {
        var (user, onSecond) = await SignedInOnBothAsync();
        using var _ = user;
        using var __ = onSecond;

        // What Firebase records when the password changes: tokens are valid only after now.
        await Dependencies.Auth.CallAsync(HttpMethod.Post, $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:update",
            new JsonObject { ["localId"] = user.Uid, ["password"] = "a-new-password-9", ["validSince"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) });

        await AssertRefusedWithinAsync(user.Client, "/auth/profile", Bound);
        await AssertRefusedWithinAsync(onSecond, "/auth/profile", Bound);
    }

    [Fact]
    public async Task A_deleted_account_cannot_write_again_with_its_old_token_on_any_replica()
    {
        var (user, onSecond) = await SignedInOnBothAsync();
        using var _ = user;
        using var __ = onSecond;
        await user.AddDeviceAsync("Hall", "Lamp");

        using var delete = await user.Client.DeleteAsync("/auth/account", Cancellation);
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);

        await AssertRefusedWithinAsync(onSecond, "/auth/profile", TimeSpan.FromSeconds(1));
        using var write = await onSecond.PostAsJsonAsync("/auth/add_venue", new { venue = "Attic" }, Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Null(await First.ReadDatabaseAsync($"users/{user.Uid}/venues/Attic"));
    }

    [Fact]
    public async Task Deleting_the_account_needs_a_sign_in_at_most_five_minutes_old()
    {
        using var user = await First.SignUpAsync();
        // An older session: tokens valid since an hour ago, this one signed in ten minutes ago (a refreshed token keeps auth_time).
        await Dependencies.Auth.CallAsync(HttpMethod.Post, $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:update",
            new JsonObject { ["localId"] = user.Uid, ["validSince"] = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var claims = IdTokens.DecodePayload(user.IdToken).With("auth_time", DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds());
        using var stale = First.CreateClient(IdTokens.Unsigned(claims));

        using var profile = await stale.GetAsync("/auth/profile", Cancellation);
        using var delete = await stale.DeleteAsync("/auth/account", Cancellation);

        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        await AssertProblemAsync(delete, HttpStatusCode.Unauthorized, "reauthentication_required");
        Assert.NotNull(await First.ReadDatabaseAsync($"users/{user.Uid}/email"));
    }
}
