using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>A signed-up, signed-in user of the API, with a client that speaks for them.</summary>
public sealed record ApiUser(string Uid, string Email, string Password, string IdToken, string RefreshToken, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

public static class ApiUsers
{
    public const string Password = "correct-horse-7";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A license key written straight into the database, as the admin API would store it.</summary>
    public static async Task<string> CreateLicenseKeyAsync(this ApiFactory api)
    {
        var key = $"AK-TEST-{Guid.NewGuid():N}";
        await api.WriteDatabaseAsync($"licenseKeys/{key}", new JsonObject { ["createdAt"] = 1, ["revoked"] = false });
        return key;
    }

    /// <summary>Signs a new user up through the API with a fresh license key, then signs them in.</summary>
    public static async Task<ApiUser> SignUpAsync(this ApiFactory api, string name = "Test User")
    {
        var cancellation = TestContext.Current.CancellationToken;
        var email = NewEmail();
        using var anonymous = api.CreateClient();
        using var signup = await anonymous.PostAsJsonAsync("/auth/signup",
            new { email, password = Password, name, accessToken = await api.CreateLicenseKeyAsync() }, cancellation);
        Assert.Equal(HttpStatusCode.OK, signup.StatusCode);
        var uid = (string)(await signup.Content.ReadFromJsonAsync<JsonObject>(cancellation))!["uid"]!;

        var (idToken, refreshToken) = await api.SignInAsync(email, Password);
        return new ApiUser(uid, email, Password, idToken, refreshToken, api.CreateClient(idToken));
    }

    public static async Task<(string IdToken, string RefreshToken)> SignInAsync(this ApiFactory api, string email, string password)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var anonymous = api.CreateClient();
        using var login = await anonymous.PostAsJsonAsync("/auth/login", new { email, password }, cancellation);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = (await login.Content.ReadFromJsonAsync<JsonObject>(cancellation))!;
        return ((string)body["idToken"]!, (string)body["refreshToken"]!);
    }

    /// <summary>
    /// Waits until the wall clock is in a later second than <paramref name="instant"/>: Firebase's <c>auth_time</c> and
    /// <c>validSince</c> have one-second resolution, so a revocation orders after a sign-in only from the next second.
    /// </summary>
    public static async Task WaitUntilSecondAfterAsync(DateTimeOffset instant)
    {
        var target = instant.ToUnixTimeSeconds() + 1;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(3);
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() < target)
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the clock did not move");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Adds a venue with one device through the API.</summary>
    public static async Task AddDeviceAsync(this ApiUser user, string venue, string device, string state = "off")
    {
        var cancellation = TestContext.Current.CancellationToken;
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue }, cancellation)).EnsureSuccessStatusCode();
        (await user.Client.PostAsJsonAsync("/auth/add_device", new { venue, device, state }, cancellation)).EnsureSuccessStatusCode();
    }
}
