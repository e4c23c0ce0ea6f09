using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Api;

/// <summary>
/// The admin API for signup license keys (<c>/admin/licenses</c>), with the first administrator made the
/// documented way: <c>dotnet AuthApp.Api.dll grant-admin &lt;email&gt;</c> against the Auth emulator.
/// </summary>
public sealed class LicenseTests(AppHostFixture host, LicenseTests.AdminFixture admin) : IClassFixture<LicenseTests.AdminFixture>
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_api_refuses_anonymous_callers_with_401()
    {
        var existing = await host.CreateLicenseKeyAsync();
        using var anonymous = host.CreateApiClient();

        using var list = await anonymous.GetAsync("/admin/licenses", Cancellation);
        using var create = await anonymous.PostAsJsonAsync("/admin/licenses", new { note = "anonymous" }, Cancellation);
        using var revoke = await anonymous.DeleteAsync($"/admin/licenses/{existing}", Cancellation);

        foreach (var response in new[] { list, create, revoke })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal("unauthorized", (string?)problem["code"]);
        }

        Assert.False((bool)(await host.ReadDatabaseAsync($"licenseKeys/{existing}/revoked"))!);
    }

    [Fact]
    public async Task Admin_api_refuses_signed_in_users_who_are_not_admins_with_403()
    {
        using var user = await host.SignUpAsync();
        var existing = await host.CreateLicenseKeyAsync();

        using var list = await user.Client.GetAsync("/admin/licenses", Cancellation);
        using var create = await user.Client.PostAsJsonAsync("/admin/licenses", new { note = "not an admin" }, Cancellation);
        using var revoke = await user.Client.DeleteAsync($"/admin/licenses/{existing}", Cancellation);

        foreach (var response in new[] { list, create, revoke })
        {
            var problem = await response.ReadProblemAsync(HttpStatusCode.Forbidden);
            Assert.Equal("forbidden", (string?)problem["code"]);
        }

        Assert.False((bool)(await host.ReadDatabaseAsync($"licenseKeys/{existing}/revoked"))!);
        var keys = (await host.ReadDatabaseAsync("licenseKeys"))!.AsObject();
        Assert.DoesNotContain(keys, entry => (string?)entry.Value?["createdBy"] == user.Uid);
    }

    [Fact]
    public async Task Grant_admin_command_takes_effect_when_the_user_signs_in_again()
    {
        // The token from before the grant carries no admin claim.
        using var before = host.CreateApiClient(admin.TokenBeforeGrant);
        using var refused = await before.GetAsync("/admin/licenses", Cancellation);
        using var accepted = await admin.Client.GetAsync("/admin/licenses", Cancellation);

        Assert.Equal(0, admin.GrantExitCode);
        Assert.Contains($"User {admin.Uid} is now an administrator", admin.GrantOutput, StringComparison.Ordinal);
        Assert.Equal("forbidden", (string?)(await refused.ReadProblemAsync(HttpStatusCode.Forbidden))["code"]);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var account = await LookUpAccountAsync(admin.Email);
        Assert.True((bool?)JsonNode.Parse((string)account!["customAttributes"]!)?["admin"]);
    }

    [Fact]
    public async Task Grant_admin_command_keeps_the_users_other_custom_claims()
    {
        using var user = await host.SignUpAsync();
        await host.CallAuthEmulatorAsync(HttpMethod.Post,
            $"/identitytoolkit.googleapis.com/v1/projects/{AppHostFixture.ProjectId}/accounts:update",
            new JsonObject { ["localId"] = user.Uid, ["customAttributes"] = """{"tier":"gold","beta":true}""" });

        var (exitCode, _) = await AdminFixture.GrantAdminAsync(host, user.Email);

        Assert.Equal(0, exitCode);
        var claims = JsonNode.Parse((string)(await LookUpAccountAsync(user.Email))!["customAttributes"]!)!;
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["tier"] = "gold", ["beta"] = true, ["admin"] = true }, claims), claims.ToJsonString());
    }

    [Fact]
    public async Task Grant_admin_command_fails_for_an_unknown_email()
    {
        var (exitCode, output) = await AdminFixture.GrantAdminAsync(host, TestUsers.NewEmail("nobody"));

        Assert.Equal(1, exitCode);
        Assert.Contains("No account has that email address.", output, StringComparison.Ordinal);
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
        var stored = (await host.ReadDatabaseAsync($"licenseKeys/{key}"))!;
        Assert.Equal(admin.Uid, (string?)stored["createdBy"]);
        Assert.Equal("for a new user", (string?)stored["note"]);
        Assert.Null(stored["usedBy"]);

        var (status, uid) = await SignUpWithAsync(key, TestUsers.NewEmail());
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(uid, (string?)await host.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
        Assert.Equal(key, (string?)await host.ReadDatabaseAsync($"users/{uid}/accessKey"));
        Assert.True((bool)(await host.ReadDatabaseAsync($"users/{uid}/verifiedAccess"))!);

        var listed = (await admin.Client.GetFromJsonAsync<JsonObject>("/admin/licenses", Cancellation))!["licenses"]!.AsArray();
        var entry = Assert.Single(listed, license => (string?)license!["key"] == key)!;
        Assert.Equal(uid, (string?)entry["usedBy"]);
        Assert.False((bool)entry["revoked"]!);

        var secondEmail = TestUsers.NewEmail();
        using var reuse = await SignUpResponseAsync(key, secondEmail);
        Assert.Equal("invalid_license", (string?)(await reuse.ReadProblemAsync(HttpStatusCode.Forbidden))["code"]);
        Assert.Null(await LookUpAccountAsync(secondEmail));
        Assert.Equal(uid, (string?)await host.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Fact]
    public async Task A_revoked_key_no_longer_admits_a_signup()
    {
        using var create = await admin.Client.PostAsJsonAsync("/admin/licenses", new { }, Cancellation);
        var key = (string)(await create.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["key"]!;

        using var revoke = await admin.Client.DeleteAsync($"/admin/licenses/{key}", Cancellation);

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal("License key revoked", (string?)(await revoke.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.True((bool)(await host.ReadDatabaseAsync($"licenseKeys/{key}/revoked"))!);

        var email = TestUsers.NewEmail();
        using var signup = await SignUpResponseAsync(key, email);
        var problem = await signup.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("invalid_license", (string?)problem["code"]);
        Assert.Equal("Invalid or already used license key.", (string?)problem["error"]);
        Assert.Null(await LookUpAccountAsync(email));
        Assert.Null(await host.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Fact]
    public async Task Revoking_an_unknown_key_answers_404_and_creates_nothing()
    {
        var key = $"AK-UNKNOWN-{Guid.NewGuid():N}";

        using var revoke = await admin.Client.DeleteAsync($"/admin/licenses/{key}", Cancellation);

        Assert.Equal("license_not_found", (string?)(await revoke.ReadProblemAsync(HttpStatusCode.NotFound))["code"]);
        Assert.Null(await host.ReadDatabaseAsync($"licenseKeys/{key}"));
    }

    private async Task<(HttpStatusCode Status, string? Uid)> SignUpWithAsync(string key, string email)
    {
        using var response = await SignUpResponseAsync(key, email);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        return (response.StatusCode, (string?)body?["uid"]);
    }

    private async Task<HttpResponseMessage> SignUpResponseAsync(string key, string email)
    {
        using var anonymous = host.CreateApiClient();
        return await anonymous.PostAsJsonAsync("/auth/signup",
            new { email, password = TestUsers.Password, name = "Licensed User", accessToken = key }, Cancellation);
    }

    /// <summary>The Auth emulator's record of the account with <paramref name="email"/>, or null.</summary>
    private async Task<JsonNode?> LookUpAccountAsync(string email)
    {
        var found = await host.CallAuthEmulatorAsync(HttpMethod.Post,
            $"/identitytoolkit.googleapis.com/v1/projects/{AppHostFixture.ProjectId}/accounts:lookup",
            new JsonObject { ["email"] = new JsonArray(email) });
        return found?["users"]?[0];
    }

    /// <summary>One user made administrator with the grant-admin command, then signed in again.</summary>
    public sealed class AdminFixture(AppHostFixture host) : IAsyncLifetime
    {
        private TestUser? _user;

        public string Uid => User.Uid;

        public string Email => User.Email;

        /// <summary>A client with the ID token issued after the grant (it carries the admin claim).</summary>
        public HttpClient Client => User.Client;

        public string TokenBeforeGrant { get; private set; } = "";

        public int GrantExitCode { get; private set; }

        public string GrantOutput { get; private set; } = "";

        private TestUser User => _user ?? throw new InvalidOperationException("The administrator has not been made.");

        public async ValueTask InitializeAsync()
        {
            using var user = await host.SignUpAsync("Administrator");
            TokenBeforeGrant = user.IdToken;
            (GrantExitCode, GrantOutput) = await GrantAdminAsync(host, user.Email);

            var address = host.NextClientAddress();
            var session = await host.SignInAsync(user.Email, user.Password, address);
            _user = user with { IdToken = session.IdToken, RefreshToken = session.RefreshToken, Client = host.CreateApiClient(session.IdToken, address) };
        }

        /// <summary>
        /// Runs the built API assembly as an operator would (<c>dotnet AuthApp.Api.dll grant-admin &lt;email&gt;</c>)
        /// from the repository root, pointed at this run's Auth emulator.
        /// </summary>
        public static async Task<(int ExitCode, string Output)> GrantAdminAsync(AppHostFixture host, string email)
        {
            // The API is built beside the tests: .../AuthApp.Api/bin/<configuration>/<framework>/.
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var apiProject = Path.GetDirectoryName(new Projects.AuthApp_Api().ProjectPath)!;
            var apiAssembly = Path.Combine(apiProject, "bin", testOutput.Parent!.Name, testOutput.Name, "AuthApp.Api.dll");
            Assert.True(File.Exists(apiAssembly), $"{apiAssembly} is not built");

            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Path.GetDirectoryName(apiProject)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in new[] { apiAssembly, "grant-admin", email })
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["Firebase__ProjectId"] = AppHostFixture.ProjectId;
            start.Environment["Firebase__AuthEmulatorHost"] = $"127.0.0.1:{host.App.GetEndpoint("firebase-auth", "http").Port}";
            start.Environment["DOTNET_ENVIRONMENT"] = "Development";

            using var process = Process.Start(start)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, await output + await error);
        }

        public ValueTask DisposeAsync()
        {
            _user?.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
