using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// The original's answers to signing in and staying signed in (<c>/auth/login</c>, <c>/auth/refresh</c>), to the
/// verification e-mail (<c>/auth/verify_email</c>) and to the device's push token (<c>/auth/save_fcm_token</c>), on
/// the shared API. (The password-reset e-mail is a queued job: AuthApp.Tests proves it end to end.)
/// </summary>
public sealed class SessionTests(ApiDependencies dependencies)
{
    private ApiFactory Api => dependencies.SharedApi;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_answers_the_identity_toolkit_sign_in_body()
    {
        using var user = await Api.SignUpAsync();
        using var client = Api.CreateClient();

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
        using var user = await Api.SignUpAsync();
        using var client = Api.CreateClient();

        using var wrongPassword = await client.PostAsJsonAsync("/auth/login", new { email = user.Email, password = "wrong-password" }, Cancellation);
        using var unknownEmail = await client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);

        var first = await AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "invalid_credentials");
        var second = await AssertProblemAsync(unknownEmail, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal((string?)first["error"], (string?)second["error"]);
    }

    [Fact]
    public async Task Refresh_exchanges_a_refresh_token_for_a_working_id_token()
    {
        using var user = await Api.SignUpAsync();
        using var client = Api.CreateClient();

        using var response = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
        Assert.Equal(["idToken", "refreshToken", "expiresIn"], body.Select(member => member.Key));
        Assert.Equal("3600", (string?)body["expiresIn"]);
        using var refreshed = Api.CreateClient((string)body["idToken"]!);
        using var profile = await refreshed.GetAsync("/auth/profile", Cancellation);
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
    }

    [Fact]
    public async Task Refresh_with_an_invalid_token_is_unauthorized()
    {
        using var client = Api.CreateClient();

        using var response = await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = "not-a-refresh-token" }, Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_token");
    }

    [Fact]
    public async Task Email_verification_is_sent_to_the_signed_in_user()
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsync("/auth/verify_email", null, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(await OobCodesAsync(user.Email), code => (string?)code["requestType"] == "VERIFY_EMAIL");
    }

    [Fact]
    public async Task Saving_an_fcm_token_stores_it_on_the_user()
    {
        using var user = await Api.SignUpAsync();

        using var response = await user.Client.PostAsJsonAsync("/auth/save_fcm_token", new { token = "fcm-device-token-1" }, Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["message"]);
        Assert.Equal("fcm-device-token-1", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/fcmToken"));
    }

    private async Task<IReadOnlyList<JsonNode>> OobCodesAsync(string email) =>
        [.. (await dependencies.Auth.GetOobCodesAsync()).OfType<JsonNode>().Where(code => (string?)code["email"] == email)];
}
