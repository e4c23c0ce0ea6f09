using System.Net;
using System.Net.Http.Json;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// The API behind a real reverse proxy, configured as ops configure it from the manifest
/// (<c>ReverseProxy__TrustedNetworks__0</c>, the <c>trusted-proxy-network</c> parameter): the per-address login
/// limit must count each client behind a proxy in that network, and only the proxy behind one outside it.
/// </summary>
public sealed class ReverseProxyTests(AppHostFixture host) : IAsyncLifetime
{
    /// <summary>The network the API trusts, as ops would name their ingress's.</summary>
    private const string TrustedNetwork = "127.0.0.0/30";

    private static readonly IPAddress ProxyInsideTheNetwork = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress ProxyOutsideTheNetwork = IPAddress.Parse("127.0.0.9");

    private ApiProcess? _api;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ApiProcess Api => _api ?? throw new InvalidOperationException("The API has not started.");

    public async ValueTask InitializeAsync() =>
        _api = await ApiProcess.StartAsync(host, new Dictionary<string, string> { ["ReverseProxy__TrustedNetworks__0"] = TrustedNetwork }, Cancellation);

    public async ValueTask DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }

    [Fact]
    public async Task Behind_a_proxy_in_the_trusted_network_each_client_has_its_own_login_limit()
    {
        await using var proxy = await TestReverseProxy.StartAsync(Api.BaseAddress, ProxyInsideTheNetwork, Cancellation);
        using var first = proxy.CreateClient(IPAddress.Parse("127.0.0.20"));
        using var second = proxy.CreateClient(IPAddress.Parse("127.0.0.21"));

        var firstClient = await LoginAttemptsAsync(first, 6);
        var secondClient = await LoginAttemptsAsync(second, 1);

        Assert.All(firstClient.Take(5), status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, firstClient[5]);
        Assert.Equal(HttpStatusCode.Unauthorized, secondClient.Single());
    }

    [Fact]
    public async Task Behind_a_proxy_outside_the_trusted_network_every_client_shares_the_proxys_login_limit()
    {
        await using var proxy = await TestReverseProxy.StartAsync(Api.BaseAddress, ProxyOutsideTheNetwork, Cancellation);
        using var first = proxy.CreateClient(IPAddress.Parse("127.0.0.30"));
        using var second = proxy.CreateClient(IPAddress.Parse("127.0.0.31"));

        var firstClient = await LoginAttemptsAsync(first, 5);
        var secondClient = await LoginAttemptsAsync(second, 1);

        Assert.All(firstClient, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, secondClient.Single());
    }

    // Wrong passwords for new accounts each time, so that only the per-address limit counts.
    private static async Task<List<HttpStatusCode>> LoginAttemptsAsync(HttpClient client, int attempts)
    {
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/auth/login", new { email = TestUsers.NewEmail("proxy"), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }
}
