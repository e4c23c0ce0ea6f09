using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Tests.Api;

public sealed class AccountTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Signup_with_a_valid_license_creates_a_licensed_user_record()
    {
        using var client = host.CreateApiClient();
        var email = TestUsers.NewEmail();
        var key = await host.CreateLicenseKeyAsync();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email, password = TestUsers.Password, name = "Ann", accessToken = key }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        var uid = (string?)body!["uid"];
        Assert.False(string.IsNullOrEmpty(uid));
        Assert.Single(body);
        var record = (await host.ReadDatabaseAsync($"users/{uid}"))!.AsObject();
        Assert.Equal(email, (string?)record["email"]);
        Assert.Equal("Ann", (string?)record["name"]);
        Assert.True((bool)record["verifiedAccess"]!);
        Assert.Equal(key, (string?)record["accessKey"]);
        Assert.Equal(uid, (string?)(await host.ReadDatabaseAsync($"licenseKeys/{key}/usedBy")));
    }

    [Fact]
    public async Task Signup_with_an_unknown_license_is_forbidden_and_creates_no_account()
    {
        using var client = host.CreateApiClient();
        var email = TestUsers.NewEmail();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email, password = TestUsers.Password, name = "Eve", accessToken = "AK-NOT-A-KEY" }, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "invalid_license");
        using var login = await client.PostAsJsonAsync("/auth/login", new { email, password = TestUsers.Password }, Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Fact]
    public async Task A_license_key_admits_only_one_account()
    {
        using var client = host.CreateApiClient();
        var key = await host.CreateLicenseKeyAsync();
        using var first = await client.PostAsJsonAsync("/auth/signup",
            new { email = TestUsers.NewEmail(), password = TestUsers.Password, name = "One", accessToken = key }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var second = await client.PostAsJsonAsync("/auth/signup",
            new { email = TestUsers.NewEmail(), password = TestUsers.Password, name = "Two", accessToken = key }, Cancellation);

        await AssertProblemAsync(second, HttpStatusCode.Forbidden, "invalid_license");
    }

    [Fact]
    public async Task Signup_with_a_taken_email_conflicts_and_keeps_the_license_unused()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();
        var key = await host.CreateLicenseKeyAsync();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email = user.Email, password = TestUsers.Password, name = "Copy", accessToken = key }, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Conflict, "email_exists");
        Assert.Null(await host.ReadDatabaseAsync($"licenseKeys/{key}/usedBy"));
    }

    [Fact]
    public async Task Signup_with_a_weak_password_names_the_password()
    {
        using var client = host.CreateApiClient();

        using var response = await client.PostAsJsonAsync("/auth/signup",
            new { email = TestUsers.NewEmail(), password = "abc", name = "Weak", accessToken = await host.CreateLicenseKeyAsync() }, Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "weak_password");
        Assert.Equal("password", (string?)problem["field"]);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","password":"secret1","name":"A","accessToken":"k"}""", "email")]
    [InlineData("""{"email":"a@example.com","password":"secret1","name":5,"accessToken":"k"}""", "name")]
    public async Task Signup_with_a_missing_or_wrong_field_names_that_field(string json, string field)
    {
        using var client = host.CreateApiClient();

        using var response = await client.PostAsync("/auth/signup", Json(json), Cancellation);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        Assert.Equal(field, (string?)problem!["field"]);
        Assert.Contains(field, (string?)problem["error"]);
    }

    [Fact]
    public async Task Login_answers_the_identity_toolkit_sign_in_body()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();

        using var response = await client.PostAsJsonAsync("/auth/login", new { email = user.Email, password = user.Password }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(user.Uid, (string?)body["localId"]);
        Assert.Equal(user.Email, (string?)body["email"]);
        Assert.Equal("3600", (string?)body["expiresIn"]);
        Assert.False(string.IsNullOrEmpty((string?)body["idToken"]));
        Assert.False(string.IsNullOrEmpty((string?)body["refreshToken"]));
    }

    [Fact]
    public async Task Login_with_a_wrong_password_is_unauthorized_without_saying_which_part_was_wrong()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();

        using var wrongPassword = await client.PostAsJsonAsync("/auth/login", new { email = user.Email, password = "wrong-password" }, Cancellation);
        using var unknownEmail = await client.PostAsJsonAsync("/auth/login", new { email = TestUsers.NewEmail(), password = "wrong-password" }, Cancellation);

        var first = await AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        var second = await AssertProblemAsync(unknownEmail, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal((string?)first["error"], (string?)second["error"]);
    }

    [Fact]
    public async Task Refresh_exchanges_a_refresh_token_for_a_working_id_token()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();

        using var response = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(["idToken", "refreshToken", "expiresIn"], body.Select(member => member.Key));
        Assert.Equal("3600", (string?)body["expiresIn"]);
        using var refreshed = host.CreateApiClient((string)body["idToken"]!);
        using var profile = await refreshed.GetAsync("/auth/profile", Cancellation);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
    }

    [Fact]
    public async Task Refresh_with_an_invalid_token_is_unauthorized()
    {
        using var client = host.CreateApiClient();

        using var response = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = "not-a-refresh-token" }, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Profile_answers_the_original_fields_with_the_first_venues_faults()
    {
        using var user = await host.SignUpAsync("Profile Owner");
        await user.AddDeviceAsync("Bedroom", "Fan", "3");
        await user.AddDeviceAsync("Attic", "Light");
        // Sensors report faults straight into the database.
        await host.WriteDatabaseAsync($"users/{user.Uid}/venues/Attic/faults", JsonValue.Create("Overheat"));
        await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue = "Attic" }, Cancellation); // evicts the cached profile

        using var response = await user.Client.GetAsync("/auth/profile", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(user.Uid, (string?)profile["uid"]);
        Assert.Equal(user.Email, (string?)profile["email"]);
        Assert.Equal("Profile Owner", (string?)profile["name"]);
        Assert.True((bool)profile["verifiedAccess"]!);
        Assert.Equal("Overheat", (string?)profile["faults"]);
        Assert.Equal("3", (string?)profile["venues"]!["Bedroom"]!["Fan"]);
        Assert.Equal("off", (string?)profile["venues"]!["Attic"]!["Light"]);
    }

    [Fact]
    public async Task Profile_without_a_token_is_unauthorized()
    {
        using var client = host.CreateApiClient();

        using var missing = await client.GetAsync("/auth/profile", Cancellation);
        client.DefaultRequestHeaders.Authorization = new("Bearer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
        using var forged = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(missing, HttpStatusCode.Unauthorized, "unauthorized");
        await AssertProblemAsync(forged, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_user_without_a_license_is_denied_with_the_original_message()
    {
        // An account that exists in Firebase but never went through the licensed signup.
        var email = TestUsers.NewEmail("unlicensed");
        var account = await host.CallAuthEmulatorAsync(HttpMethod.Post, "/identitytoolkit.googleapis.com/v1/accounts:signUp",
            new JsonObject { ["email"] = email, ["password"] = TestUsers.Password, ["returnSecureToken"] = true }, asAdmin: false);
        using var client = host.CreateApiClient((string)account!["idToken"]!);

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Forbidden, "no_license");
        Assert.Equal("Access Denied: No License Token", (string?)problem["error"]);
    }

    [Fact]
    public async Task Saving_an_fcm_token_stores_it_on_the_user()
    {
        using var user = await host.SignUpAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/save_fcm_token", new { token = "fcm-device-token-1" }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.Equal("fcm-device-token-1", (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/fcmToken"));
    }

    [Fact]
    public async Task Logout_revokes_every_refresh_token_of_the_user()
    {
        using var user = await host.SignUpAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;

        using var response = await user.Client.PostAsync("/auth/logout", null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lookup = await host.CallAuthEmulatorAsync(HttpMethod.Post,
            $"/identitytoolkit.googleapis.com/v1/projects/{AppHostFixture.ProjectId}/accounts:lookup", new JsonObject { ["localId"] = new JsonArray(user.Uid) });
        var validSince = long.Parse((string)lookup!["users"]![0]!["validSince"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(validSince >= before, "validSince was not moved forward");
    }

    [Fact]
    public async Task Password_reset_answers_alike_for_known_and_unknown_accounts_and_mails_only_the_known()
    {
        using var user = await host.SignUpAsync();
        using var client = host.CreateApiClient();

        using var known = await client.PostAsJsonAsync("/auth/password_reset", new { email = user.Email }, Cancellation);
        using var unknown = await client.PostAsJsonAsync("/auth/password_reset", new { email = TestUsers.NewEmail() }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, known.StatusCode);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(Cancellation), await unknown.Content.ReadAsStringAsync(Cancellation));
        await Eventually.TrueAsync(async () => (await OobCodesAsync(user.Email)).Any(code => (string?)code["requestType"] == "PASSWORD_RESET"),
            "no password-reset code was issued for the known account");
    }

    [Fact]
    public async Task Email_verification_is_sent_to_the_signed_in_user()
    {
        using var user = await host.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/verify_email", null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(await OobCodesAsync(user.Email), code => (string?)code["requestType"] == "VERIFY_EMAIL");
    }

    [Fact]
    public async Task Deleting_the_account_removes_the_firebase_user_and_the_users_data()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("Kitchen", "Kettle");

        using var response = await user.Client.DeleteAsync("/auth/account", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var client = host.CreateApiClient();
        using var login = await client.PostAsJsonAsync("/auth/login", new { email = user.Email, password = user.Password }, Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        await Eventually.TrueAsync(async () => await host.ReadDatabaseAsync($"users/{user.Uid}") is null, "the user's data is still there");
    }

    [Fact]
    public async Task Time_zone_must_be_a_known_iana_zone()
    {
        using var user = await host.SignUpAsync();

        using var bad = await user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = "Mars/Olympus_Mons" }, Cancellation);
        using var good = await user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = "Asia/Kolkata" }, Cancellation);

        await AssertProblemAsync(bad, HttpStatusCode.BadRequest, "invalid_time_zone");
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Equal("Asia/Kolkata", (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/timeZone"));
    }

    private async Task<IReadOnlyList<JsonNode>> OobCodesAsync(string email)
    {
        var codes = await host.CallAuthEmulatorAsync(HttpMethod.Get, $"/emulator/v1/projects/{AppHostFixture.ProjectId}/oobCodes");
        return codes!["oobCodes"]!.AsArray().OfType<JsonNode>().Where(code => (string?)code["email"] == email).ToList();
    }
}
