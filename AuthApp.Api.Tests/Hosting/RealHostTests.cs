using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Hosting;

/// <summary>
/// The API as a process of its own (Kestrel, real connections), configured as ops configure it from the manifest
/// (<c>ReverseProxy__TrustedNetworks__0</c>, the <c>trusted-proxy-network</c> parameter) and put behind a real
/// reverse proxy: the per-address login limit must count each client behind a proxy in that network, and only the
/// proxy behind one outside it; and Kestrel's body limit holds, for a signed-in write too, which then writes nothing.
/// One process for the class.
/// </summary>
public sealed class RealHostTests(RealHostTests.TrustingItsNetwork host) : IClassFixture<RealHostTests.TrustingItsNetwork>
{
    /// <summary>The network the API trusts, as ops would name their ingress's.</summary>
    private const string TrustedNetwork = "127.0.0.0/30";

    private static readonly IPAddress ProxyInsideTheNetwork = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress ProxyOutsideTheNetwork = IPAddress.Parse("127.0.0.9");

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ApiProcess Api => host.Api;

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

    [Fact]
    public async Task An_oversized_body_is_refused_with_413_before_it_is_read()
    {
        using var client = Api.CreateClient(IPAddress.Parse("127.0.0.40"));
        var huge = new string('x', 200 * 1024);

        using var response = await client.PostAsync("/auth/login", Json($$"""{"email":"{{huge}}@example.com","password":"x"}"""), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task An_oversized_write_is_refused_with_413_and_writes_nothing()
    {
        using var user = await host.SignUpAsync();
        var huge = new string('x', 200 * 1024);

        using var response = await user.Client.PostAsync("/auth/add_venue", Json($$"""{"venue":"{{huge}}"}"""), Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Null(await host.ReadDatabaseAsync($"users/{user.Uid}/venues"));
    }

    // Wrong passwords for new accounts each time, so that only the per-address limit counts.
    private static async Task<List<HttpStatusCode>> LoginAttemptsAsync(HttpClient client, int attempts)
    {
        var statuses = new List<HttpStatusCode>();
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            using var response = await client.PostAsJsonAsync("/auth/login", new { email = ApiUsers.NewEmail("proxy"), password = "wrong-password" }, Cancellation);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    /// <summary>
    /// The API process of the class, trusting <see cref="TrustedNetwork"/> as its proxies' network, in a database
    /// namespace of its own and accepting the Auth emulator's tokens, so that users can sign up and write through it
    /// (from <see cref="UsersAddress"/>: the process keeps the shipped rate limits).
    /// </summary>
    public sealed class TrustingItsNetwork(ApiDependencies dependencies) : IAsyncLifetime, IApiUnderTest
    {
        private static readonly IPAddress UsersAddress = IPAddress.Parse("127.0.0.41");

        private readonly string _namespace = DatabaseEmulatorFixture.NewNamespace();

        public ApiProcess Api { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var environment = dependencies.ProcessEnvironment();
            environment["Firebase__DatabaseUrl"] = $"https://{_namespace}.firebaseio.com";
            environment["Firebase__AcceptEmulatorTokens"] = "true";
            environment["ReverseProxy__TrustedNetworks__0"] = TrustedNetwork;
            Api = await ApiProcess.StartAsync(environment);
        }

        public HttpClient CreateApiClient(string? idToken = null)
        {
            var client = Api.CreateClient(UsersAddress);
            if (idToken is not null)
            {
                client.DefaultRequestHeaders.Authorization = new("Bearer", idToken);
            }

            return client;
        }

        public Task WriteDatabaseAsync(string path, JsonNode? value) => dependencies.Database.WriteAsync(_namespace, path, value);

        public Task<JsonNode?> ReadDatabaseAsync(string path) => dependencies.Database.ReadAsync(_namespace, path);

        public ValueTask DisposeAsync() => Api.DisposeAsync();
    }
}
