using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// A real reverse proxy (YARP, as an ingress would be) on <c>http://127.0.0.1:&lt;free port&gt;</c>, forwarding every
/// request to <paramref name="destination"/> with the standard <c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c>
/// headers. It connects to the destination from <c>SourceAddress</c>, one of the loopback range's many addresses,
/// so that a test decides which network the API sees the proxy in.
/// <para>
/// Server-Sent Events (<c>GET /auth/events</c>) pass through it as they are, with no setting of their own: YARP copies
/// a response body chunk by chunk as it reads it from the destination, and each write to Kestrel's response goes out
/// at once (nothing is buffered, whatever the content type). Its one limit on a long response is the activity timeout
/// (<c>ForwarderRequestConfig.ActivityTimeout</c>, 100 s by default): the time allowed with nothing read or written,
/// which the API's heartbeat (every 15 s) resets long before. An ingress built on YARP needs no more; lowering that
/// timeout below the heartbeat would cut idle streams.
/// </para>
/// </summary>
public sealed class TestReverseProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestReverseProxy(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<TestReverseProxy> StartAsync(Uri destination, IPAddress sourceAddress, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IForwarderHttpClientFactory>(new FromAddressClientFactory(sourceAddress));
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "all", ClusterId = "api", Match = new RouteMatch { Path = "{**rest}" } }],
            [new ClusterConfig { ClusterId = "api", Destinations = new Dictionary<string, DestinationConfig> { ["api"] = new() { Address = destination.ToString() } } }]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync(cancellationToken);
        return new TestReverseProxy(app, new Uri(app.Urls.Single().TrimEnd('/') + "/"));
    }

    /// <summary>A client of the proxy that connects from <paramref name="clientAddress"/> (a loopback address).</summary>
    public HttpClient CreateClient(IPAddress clientAddress) =>
        new(new SocketsHttpHandler { ConnectCallback = ApiProcess.ConnectFrom(clientAddress) }) { BaseAddress = BaseAddress };

    public async ValueTask DisposeAsync()
    {
        using (var now = new CancellationTokenSource())
        {
            await now.CancelAsync();
            await _app.StopAsync(now.Token);
        }

        await _app.DisposeAsync();
    }

    private sealed class FromAddressClientFactory(IPAddress source) : ForwarderHttpClientFactory
    {
        protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
        {
            base.ConfigureHandler(context, handler);
            handler.ConnectCallback = ApiProcess.ConnectFrom(source);
        }
    }
}
