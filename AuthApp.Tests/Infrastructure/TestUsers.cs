using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Tests.Infrastructure;

/// <summary>A signed-up, signed-in user of the API, with a client that speaks for them.</summary>
public sealed record TestUser(string Uid, string Email, string Password, string IdToken, string RefreshToken, HttpClient Client) : IDisposable
{
    public void Dispose() => Client.Dispose();
}

public static class TestUsers
{
    public const string Password = "correct-horse-7";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A license key written straight into the database, as the admin API would store it.</summary>
    public static async Task<string> CreateLicenseKeyAsync(this AppHostFixture host)
    {
        var key = $"AK-TEST-{Guid.NewGuid():N}";
        await host.WriteDatabaseAsync($"licenseKeys/{key}", new JsonObject { ["createdAt"] = 1, ["revoked"] = false });
        return key;
    }

    /// <summary>Signs a new user up through the API with a fresh license key, then signs them in.</summary>
    public static async Task<TestUser> SignUpAsync(this AppHostFixture host, string name = "Test User")
    {
        var cancellation = TestContext.Current.CancellationToken;
        var email = NewEmail();
        var address = host.NextClientAddress();
        using var anonymous = host.CreateApiClient(clientAddress: address);

        using var signup = await anonymous.PostAsJsonAsync("/auth/signup",
            new { email, password = Password, name, accessToken = await host.CreateLicenseKeyAsync() }, cancellation);
        Assert.Equal(HttpStatusCode.OK, signup.StatusCode);
        var uid = (string)(await signup.Content.ReadFromJsonAsync<JsonObject>(cancellation))!["uid"]!;

        var session = await host.SignInAsync(email, Password, address);
        return new TestUser(uid, email, Password, session.IdToken, session.RefreshToken, host.CreateApiClient(session.IdToken, address));
    }

    public static async Task<(string IdToken, string RefreshToken)> SignInAsync(this AppHostFixture host, string email, string password, string? clientAddress = null)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var anonymous = host.CreateApiClient(clientAddress: clientAddress);
        using var login = await anonymous.PostAsJsonAsync("/auth/login", new { email, password }, cancellation);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var body = (await login.Content.ReadFromJsonAsync<JsonObject>(cancellation))!;
        return ((string)body["idToken"]!, (string)body["refreshToken"]!);
    }

    /// <summary>Schedules a device through the API.</summary>
    public static async Task SetScheduleAsync(this TestUser user, string venue, string device, string time, string action)
    {
        using var response = await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue, device, time, action }, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"set_schedule answered {(int)response.StatusCode}");
    }

    /// <summary>Adds a venue with one device through the API.</summary>
    public static async Task AddDeviceAsync(this TestUser user, string venue, string device, string state = "off")
    {
        var cancellation = TestContext.Current.CancellationToken;
        (await user.Client.PostAsJsonAsync("/auth/add_venue", new { venue }, cancellation)).EnsureSuccessStatusCode();
        (await user.Client.PostAsJsonAsync("/auth/add_device", new { venue, device, state }, cancellation)).EnsureSuccessStatusCode();
    }
}
