using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace AuthApp.Testing;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port, playing a remote endpoint (Google's keys, FCM, Gemini).</summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalServer(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<LocalServer> StartAsync(Action<WebApplication> map, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync(cancellationToken);
        return new LocalServer(app, new Uri(app.Urls.Single().TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        // Don't wait for the client's idle keep-alive connections to drain (30 s by default).
        using (var now = new CancellationTokenSource())
        {
            await now.CancelAsync();
            await _app.StopAsync(now.Token);
        }

        await _app.DisposeAsync();
    }
}
