using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Api.Tests.RateLimiting;

/// <summary>
/// <c>X-Forwarded-For</c> names the client only when it comes from a configured proxy, one hop, whether or not
/// <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED=true</c> makes the host add its own forwarded-headers middleware (in front of
/// the whole pipeline, with options that trust every sender).
/// </summary>
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

    /// <summary>The configuration key the host's ForwardedHeadersStartupFilter reads (what the environment variable becomes).</summary>
    private const string HostForwardedHeaders = "ForwardedHeaders_Enabled";

    /// <summary>The premise: the host's own forwarded-headers middleware is registered and switched on in <paramref name="api"/>.</summary>
    private static void AssertHostForwardedHeadersAreOn(ApiFactory api)
    {
        Assert.Equal("true", api.Services.GetRequiredService<IConfiguration>()[HostForwardedHeaders]);
        Assert.Contains(api.Services.GetServices<IStartupFilter>(), filter => filter.GetType().Name == "ForwardedHeadersStartupFilter");
    }

    [Fact]
    public async Task With_the_hosts_forwarded_headers_on_and_no_proxy_configured_a_client_rotating_x_forwarded_for_is_still_one_client()
    {
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive((HostForwardedHeaders, "true")));

        var statuses = await LoginAttemptsAsync(api, "203.0.113.10", i => $"198.51.100.{i + 60}", 6);

        AssertHostForwardedHeadersAreOn(api);
        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task With_the_hosts_forwarded_headers_on_a_client_that_is_not_the_configured_proxy_cannot_forward_for_others()
    {
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive((HostForwardedHeaders, "true"), ("ReverseProxy:TrustedNetworks:0", "10.0.0.0/8")));

        var statuses = await LoginAttemptsAsync(api, "203.0.113.11", i => $"198.51.100.{i + 80}", 6);

        AssertHostForwardedHeadersAreOn(api);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task With_the_hosts_forwarded_headers_on_only_the_hop_the_trusted_proxy_added_is_believed()
    {
        // The proxy (10.0.0.5) appends the address it saw (10.20.30.40, inside the trusted network too); whatever the
        // client wrote before it is the client's own claim. Two forwarded-headers middlewares would believe both hops.
        await using var api = new ApiFactory(dependencies, settings: LoginLimitOfFive((HostForwardedHeaders, "true"), ("ReverseProxy:TrustedNetworks:0", "10.0.0.0/8")));

        var statuses = await LoginAttemptsAsync(api, "10.0.0.5", i => $"198.51.100.{i + 100}, 10.20.30.40", 6);

        AssertHostForwardedHeadersAreOn(api);
        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
    }

    [Fact]
    public async Task A_real_host_started_with_ASPNETCORE_FORWARDEDHEADERS_ENABLED_and_no_proxy_ignores_x_forwarded_for()
    {
        var environment = dependencies.ProcessEnvironment();
        environment["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        environment["RateLimiting__Login__PermitLimit"] = "5";
        environment["RateLimiting__Login__Window"] = "00:10:00";
        await using var api = await ApiProcess.StartAsync(environment);
        // A loopback address of this test's own: the API counts the limits per client address in the shared Redis.
        var from = new IPAddress([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(2, 255)]);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var client = api.CreateClient(from);
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i + 120}");
            using var response = await client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail(), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[5]);
        // The premise: the variable reached the host's configuration under the key its startup filter reads.
        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED is set and ignored", api.Output, StringComparison.Ordinal);
    }
}
