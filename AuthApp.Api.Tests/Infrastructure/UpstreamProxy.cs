using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// A loopback stand-in between the API and one of its upstreams (the Auth emulator, the database emulator):
/// forwards every request while <see cref="Mode"/> is <see cref="UpstreamMode.Up"/>, answers 503 (Retry-After: 60)
/// when <see cref="UpstreamMode.Down"/>, and never answers when <see cref="UpstreamMode.Hanging"/>. Counts what reaches it.
/// </summary>
public sealed class UpstreamProxy : IAsyncDisposable
{
    private readonly HttpClient _upstream;
    private LocalServer? _server;
    private int _requests;

    private UpstreamProxy(string upstreamHost) =>
        _upstream = new HttpClient { BaseAddress = new Uri($"http://{upstreamHost}/"), Timeout = Timeout.InfiniteTimeSpan };

    public UpstreamMode Mode { get; set; } = UpstreamMode.Up;

    public int Requests => Volatile.Read(ref _requests);

    /// <summary><c>127.0.0.1:port</c>, as the emulator host settings take it.</summary>
    public string Host => _server!.BaseAddress.Authority;

    public static async Task<UpstreamProxy> StartAsync(string upstreamHost)
    {
        var proxy = new UpstreamProxy(upstreamHost);
        proxy._server = await LocalServer.StartAsync(app => app.Run(proxy.HandleAsync), TestContext.Current.CancellationToken);
        return proxy;
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        switch (Mode)
        {
            case UpstreamMode.Down:
                // An outage that says how long it lasts: long enough that the API does not retry within the request.
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "60";
                return;
            case UpstreamMode.Hanging:
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            request.Content = new ByteArrayContent(body.ToArray());
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        request.Headers.Host = null;
        using var response = await _upstream.SendAsync(request, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!string.Equals(name, "Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _upstream.Dispose();
    }
}

public enum UpstreamMode
{
    Up,
    Down,
    Hanging,
}
