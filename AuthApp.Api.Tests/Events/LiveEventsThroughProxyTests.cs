using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Events;

/// <summary>
/// <c>GET /auth/events</c> through a real reverse proxy (YARP, <see cref="TestReverseProxy"/>, as an ingress would
/// be) in front of the API as a process of its own: each event reaches the client when it happens, while the stream
/// stays open, so the proxy neither buffers the response nor waits for its end. A heartbeat is a few bytes: one
/// arriving on time shows that nothing collects writes into larger chunks either.
/// </summary>
public sealed class LiveEventsThroughProxyTests(LiveEventsThroughProxyTests.BehindAProxy host) : IClassFixture<LiveEventsThroughProxyTests.BehindAProxy>
{
    /// <summary>Every event is due at once (the heartbeat within a second): this is the slack of a loaded machine, not a wait.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_device_change_and_the_heartbeat_reach_a_client_behind_a_reverse_proxy_while_the_stream_stays_open()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.OK, events.Status);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);
        await events.WaitForAsync("sync", within: Deadline);

        (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value = "on" }, Cancellation)).EnsureSuccessStatusCode();
        var change = await events.WaitForAsync("device", within: Deadline);
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"on","source":"api"}"""), change.Data, JsonNode.DeepEquals);

        await events.WaitForAsync("heartbeat", within: Deadline);
        Assert.False(events.Closed);
    }

    /// <summary>
    /// The API process of the class (heartbeats every second, a database namespace of its own, the Auth emulator's
    /// tokens accepted) and a proxy in front of it; every client of the tests talks to the proxy.
    /// </summary>
    public sealed class BehindAProxy(ApiDependencies dependencies) : IAsyncLifetime, IApiUnderTest
    {
        /// <summary>Where the proxy and its clients connect from: addresses no other test counts requests of.</summary>
        private static readonly IPAddress ProxyAddress = IPAddress.Parse("127.0.0.50");

        private static readonly IPAddress ClientAddress = IPAddress.Parse("127.0.0.51");

        private readonly string _namespace = DatabaseEmulatorFixture.NewNamespace();
        private ApiProcess? _api;
        private TestReverseProxy? _proxy;

        public async ValueTask InitializeAsync()
        {
            var environment = dependencies.ProcessEnvironment();
            environment["Firebase__DatabaseUrl"] = $"https://{_namespace}.firebaseio.com";
            environment["Firebase__AcceptEmulatorTokens"] = "true";
            environment["Events__HeartbeatInterval"] = "00:00:01";
            // The source a change is told with must not depend on the machine's load (see LiveEventsTests).
            environment["Events__AttributionGrace"] = "00:00:02";
            _api = await ApiProcess.StartAsync(environment);
            _proxy = await TestReverseProxy.StartAsync(_api.BaseAddress, ProxyAddress, TestContext.Current.CancellationToken);
        }

        public HttpClient CreateApiClient(string? idToken = null)
        {
            var client = _proxy!.CreateClient(ClientAddress);
            if (idToken is not null)
            {
                client.DefaultRequestHeaders.Authorization = new("Bearer", idToken);
            }

            return client;
        }

        public Task WriteDatabaseAsync(string path, JsonNode? value) => dependencies.Database.WriteAsync(_namespace, path, value);

        public async ValueTask DisposeAsync()
        {
            if (_proxy is not null)
            {
                await _proxy.DisposeAsync();
            }

            if (_api is not null)
            {
                await _api.DisposeAsync();
            }
        }
    }
}
