using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Licenses;

/// <summary>
/// The admin API for signup license keys (<c>/admin/licenses</c>) on the shared API, with an administrator made as
/// the <c>grant-admin</c> command makes one: the <c>admin</c> custom claim set in Auth, then a new sign-in. (The
/// command itself, on the command line and on the dashboard, is AuthApp.Tests' BootstrapTests.)
/// </summary>
public sealed class LicenseTests(ApiDependencies dependencies, LicenseTests.AdminFixture admin) : IClassFixture<LicenseTests.AdminFixture>
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_api_refuses_anonymous_callers_with_401()
    {
        var existing = await Api.CreateLicenseKeyAsync();
        using var anonymous = Api.CreateClient();

        using var list = await anonymous.GetAsync("/admin/licenses", Cancellation);
        using var create = await anonymous.PostAsJsonAsync("/admin/licenses", new { note = "anonymous" }, Cancellation);
        using var revoke = await anonymous.DeleteAsync($"/admin/licenses/{existing}", Cancellation);

        foreach (var response in new[] { list, create, revoke })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal("unauthorized", (string?)problem["code"]);
        }

        Assert.False((bool)(await Api.ReadDatabaseAsync($"licenseKeys/{existing}/revoked"))!);
    }

    [Fact]
    public async Task Admin_api_refuses_signed_in_users_who_are_not_admins_with_403()
    {
        using var user = await Api.SignUpAsync();
        var existing = await Api.CreateLicenseKeyAsync();

        using var list = await user.Client.GetAsync("/admin/licenses", Cancellation);
        using var create = await user.Client.PostAsJsonAsync("/admin/licenses", new { note = "not an admin" }, Cancellation);
        using var revoke = await user.Client.DeleteAsync($"/admin/licenses/{existing}", Cancellation);

        foreach (var response in new[] { list, create, revoke })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
            Assert.Equal("forbidden", (string?)problem["code"]);
        }

        Assert.False((bool)(await Api.ReadDatabaseAsync($"licenseKeys/{existing}/revoked"))!);
        var keys = (await Api.ReadDatabaseAsync("licenseKeys"))!.AsObject();
        Assert.DoesNotContain(keys, entry => (string?)entry.Value?["createdBy"] == user.Uid);
    }

    [Fact]
    public async Task A_created_key_admits_one_signup_and_is_listed_as_used_by_that_account()
    {
        using var create = await admin.Client.PostAsJsonAsync("/admin/licenses", new { note = "for a new user" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        var created = (await create.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        var key = (string)created["key"]!;
        Assert.StartsWith("AK-", key, StringComparison.Ordinal);
        Assert.Equal($"/admin/licenses/{key}", create.Headers.Location?.OriginalString);
        Assert.Equal(admin.Uid, (string?)created["createdBy"]);
        Assert.False((bool)created["revoked"]!);
        var stored = (await Api.ReadDatabaseAsync($"licenseKeys/{key}"))!;
        Assert.Equal(admin.Uid, (string?)stored["createdBy"]);
        Assert.Equal("for a new user", (string?)stored["note"]);
        Assert.Null(stored["usedBy"]);

        var (status, uid) = await SignUpWithAsync(key, ApiUsers.NewEmail());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(uid, (string?)await Api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        Assert.Equal(key, (string?)await Api.ReadDatabaseAsync($"users/{uid}/accessKey"));
        Assert.True((bool)(await Api.ReadDatabaseAsync($"users/{uid}/verifiedAccess"))!);

        var listed = (await admin.Client.GetFromJsonAsync<JsonObject>("/admin/licenses", Cancellation))!["licenses"]!.AsArray();
        var entry = Assert.Single(listed, license => (string?)license!["key"] == key)!;
        Assert.Equal(uid, (string?)entry["usedBy"]);
        Assert.False((bool)entry["revoked"]!);

        var secondEmail = ApiUsers.NewEmail();
        using var reuse = await SignUpResponseAsync(key, secondEmail);
        Assert.Equal("invalid_license", (string?)(await reuse.ReadProblemAsync(HttpStatusCode.Forbidden))["code"]);
        Assert.Null(await dependencies.FindUidAsync(secondEmail));
        Assert.Equal(uid, (string?)await Api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Fact]
    public async Task A_revoked_key_no_longer_admits_a_signup()
    {
        using var create = await admin.Client.PostAsJsonAsync("/admin/licenses", new { }, Cancellation);
        var key = (string)(await create.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["key"]!;

        using var revoke = await admin.Client.DeleteAsync($"/admin/licenses/{key}", Cancellation);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("License key revoked", (string?)(await revoke.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.True((bool)(await Api.ReadDatabaseAsync($"licenseKeys/{key}/revoked"))!);

        var email = ApiUsers.NewEmail();
        using var signup = await SignUpResponseAsync(key, email);
        var problem = await signup.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("invalid_license", (string?)problem["code"]);
        Assert.Equal("Invalid or already used license key.", (string?)problem["error"]);
        Assert.Null(await dependencies.FindUidAsync(email));
        Assert.Null(await Api.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Fact]
    public async Task Revoking_an_unknown_key_answers_404_and_creates_nothing()
    {
        var key = $"AK-UNKNOWN-{Guid.NewGuid():N}";

        using var revoke = await admin.Client.DeleteAsync($"/admin/licenses/{key}", Cancellation);

        Assert.Equal("license_not_found", (string?)(await revoke.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Null(await Api.ReadDatabaseAsync($"licenseKeys/{key}"));
    }

    private async Task<(HttpStatusCode Status, string? Uid)> SignUpWithAsync(string key, string email)
    {
        using var response = await SignUpResponseAsync(key, email);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        return (response.StatusCode, (string?)body?["uid"]);
    }

    private async Task<HttpResponseMessage> SignUpResponseAsync(string key, string email)
    {
        using var anonymous = Api.CreateClient();
        return await anonymous.PostAsJsonAsync("/auth/signup",
            new { email, password = ApiUsers.Password, name = "Licensed User", accessToken = key }, Cancellation);
    }


    /// <summary>One user made administrator as <c>grant-admin</c> does (the <c>admin</c> custom claim), then signed in again.</summary>
    public sealed class AdminFixture(ApiDependencies dependencies) : IAsyncLifetime
    {
        private ApiUser? _user;

        public string Uid => User.Uid;

        /// <summary>A client with the ID token issued after the grant (it carries the admin claim).</summary>
        public HttpClient Client => User.Client;

        private ApiUser User => _user ?? throw new InvalidOperationException("The administrator has not been made.");

        public async ValueTask InitializeAsync()
        {
            var api = dependencies.SharedApi;
            using var user = await api.SignUpAsync("Administrator");
            await dependencies.Auth.CallAsync(HttpMethod.Post,
                $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:update",
                new JsonObject { ["localId"] = user.Uid, ["customAttributes"] = """{"admin":true}""" });
            var (idToken, refreshToken) = await api.SignInAsync(user.Email, user.Password);
            _user = user with { IdToken = idToken, RefreshToken = refreshToken, Client = api.CreateClient(idToken) };
        }

        public ValueTask DisposeAsync()
        {
            _user?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
