using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// The API a test talks to, whichever harness runs it: in-process on <c>WebApplicationFactory</c> (AuthApp.Api.Tests)
/// or the AppHost's replicas behind the orchestrator's proxy (AuthApp.Tests). What <see cref="ApiUsers"/> needs of it.
/// </summary>
public interface IApiUnderTest
{
    /// <summary>A client of the API, signed in as <paramref name="idToken"/> when given.</summary>
    HttpClient CreateApiClient(string? idToken = null);

    /// <summary>Writes a path of the API's database directly, as an operator would (as the admin: no rules apply).</summary>
    Task WriteDatabaseAsync(string path, JsonNode? value);
}

/// <summary>A signed-up, signed-in user of the API, with a client that speaks for them.</summary>
public sealed record ApiUser(string Uid, string Email, string Password, string IdToken, string RefreshToken, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

/// <summary>Users of the API, made the way a client makes them: a license key, a signup, a sign-in.</summary>
public static class ApiUsers
{
    public const string Password = "correct-horse-7";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A license key written straight into the database, as the admin API would store it.</summary>
    public static async Task<string> CreateLicenseKeyAsync(this IApiUnderTest api)
    {
        var key = $"AK-TEST-{Guid.NewGuid():N}";
        await api.WriteDatabaseAsync($"licenseKeys/{key}", new JsonObject { ["createdAt"] = 1, ["revoked"] = false });
        return key;
    }

    /// <summary>Signs a new user up through the API with a fresh license key, then signs them in.</summary>
    public static async Task<ApiUser> SignUpAsync(this IApiUnderTest api, string name = "Test User")
    {
        var cancellation = TestContext.Current.CancellationToken;
        var email = NewEmail();
        using var anonymous = api.CreateApiClient();
        using var signup = await anonymous.PostAsJsonAsync("/auth/signup",
            new { email, password = Password, name, accessToken = await api.CreateLicenseKeyAsync() }, cancellation);
        Assert.Equal(HttpStatusCode.OK, signup.StatusCode);
        var uid = (string)(await signup.Content.ReadFromJsonAsync<JsonObject>(cancellation))!["uid"]!;

        var (idToken, refreshToken) = await api.SignInAsync(email, Password);
        return new ApiUser(uid, email, Password, idToken, refreshToken, api.CreateApiClient(idToken));
    }

    /// <summary>Signs in through the API; returns the new ID and refresh tokens.</summary>
    public static async Task<(string IdToken, string RefreshToken)> SignInAsync(this IApiUnderTest api, string email, string password)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var anonymous = api.CreateApiClient();
        using var login = await anonymous.PostAsJsonAsync("/auth/login", new { email, password }, cancellation);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = (await login.Content.ReadFromJsonAsync<JsonObject>(cancellation))!;
        return ((string)body["idToken"]!, (string)body["refreshToken"]!);
    }

    /// <summary>Adds a venue with one device through the API.</summary>
    public static async Task AddDeviceAsync(this ApiUser user, string venue, string device, string state = "off")
    {
        var cancellation = TestContext.Current.CancellationToken;
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue }, cancellation)).EnsureSuccessStatusCode();
        (await user.Client.PostAsJsonAsync("/auth/add_device", new { venue, device, state }, cancellation)).EnsureSuccessStatusCode();
    }

    /// <summary>Schedules a device through the API.</summary>
    public static async Task SetScheduleAsync(this ApiUser user, string venue, string device, string time, string action)
    {
        using var response = await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue, device, time, action }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"set_schedule answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }
}
