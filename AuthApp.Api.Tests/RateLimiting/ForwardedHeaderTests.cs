using System.Net;
using System.Net.Http.Json;

namespace AuthApp.Api.Tests.RateLimiting;

/// <summary><c>X-Forwarded-For</c> names the client only when it comes from a configured proxy.</summary>
public sealed class ForwardedHeaderTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> LoginLimitOfFive(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["RateLimiting:Login:PermitLimit"] = "5", ["RateLimiting:Login:Window"] = "00:10:00" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<List<HttpStatusCode>> LoginAttemptsAsync(ApiFactory api, string from, Func<int, string> forwardedFor, int attempts)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < attempts; i++)
        {
            using var client = api.CreateClient(null, from);
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor(i));
            using var response = await client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    [Fact]
    public async Task Without_a_configured_proxy_a_client_rotating_x_forwarded_for_is_still_one_client()
    {
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive());

        var statuses = await LoginAttemptsAsync(api, "203.0.113.7", i => $"198.51.100.{i + 1}", 6);

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task Behind_a_configured_proxy_each_forwarded_client_is_counted_on_its_own()
    {
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive(("ReverseProxy:TrustedProxies:0", "203.0.113.8")));

        var rotating = await LoginAttemptsAsync(api, "203.0.113.8", i => $"198.51.100.{i + 20}", 6);
        var one = await LoginAttemptsAsync(api, "203.0.113.8", _ => "198.51.100.99", 6);

        Assert.All(rotating, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, one[5]);
    }

    [Fact]
    public async Task A_client_that_is_not_the_configured_proxy_cannot_forward_for_others()
    {
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive(("ReverseProxy:TrustedNetworks:0", "10.0.0.0/8")));

        var statuses = await LoginAttemptsAsync(api, "203.0.113.9", i => $"198.51.100.{i + 40}", 6);

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }
}
