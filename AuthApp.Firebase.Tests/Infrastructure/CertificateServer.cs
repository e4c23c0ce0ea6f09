using AuthApp.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Firebase.Tests.Infrastructure;

/// <summary>Plays Google's securetoken x509 endpoint: <c>{kid: PEM}</c> with <c>Cache-Control: max-age</c>.</summary>
public sealed class CertificateServer : IAsyncDisposable
{
    private LocalServer? _server;
    private int _requests;

    public string Json { get; set; } = "{}";

    public int MaxAgeSeconds { get; set; } = 3600;

    public int Requests => Volatile.Read(ref _requests);

    public Uri Url => new(_server!.BaseAddress, "robot/v1/metadata/x509/securetoken@system.gserviceaccount.com");

    public static async Task<CertificateServer> StartAsync(params SigningKey[] keys)
    {
        var server = new CertificateServer { Json = TestTokens.CertificatesJson(keys) };
        server._server = await LocalServer.StartAsync(app => app.MapGet(
            "/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com",
            async (HttpContext context) =>
            {
                Interlocked.Increment(ref server._requests);
                await Task.Delay(50); // widen the window for concurrent callers
                context.Response.Headers.CacheControl = $"public, max-age={server.MaxAgeSeconds}, must-revalidate, no-transform";
                context.Response.ContentType = "application/json; charset=UTF-8";
                await context.Response.WriteAsync(server.Json);
            }), TestContext.Current.CancellationToken);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
