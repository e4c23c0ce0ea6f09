using AuthApp.Testing;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Firebase.Tests.Infrastructure;

/// <summary>Plays FCM HTTP v1 on 127.0.0.1: each request is answered by <see cref="Respond"/> (given the attempt number).</summary>
public sealed class FakeFcm : IAsyncDisposable
{
    private LocalServer? _server;
    private int _requests;

    public Func<HttpContext, int, Task> Respond { get; set; } = (context, _) =>
        context.Response.WriteAsJsonAsync(new { name = "projects/demo-authapp/messages/0:12345" });

    public ConcurrentQueue<(string Authorization, string Body)> Received { get; } = new();

    public int Requests => Volatile.Read(ref _requests);

    public Uri BaseAddress => _server!.BaseAddress;

    public static async Task<FakeFcm> StartAsync()
    {
        var fcm = new FakeFcm();
        fcm._server = await LocalServer.StartAsync(app => app.MapPost("/v1/projects/{project}/messages:send", async (HttpContext context) =>
        {
            var attempt = Interlocked.Increment(ref fcm._requests);
            using var reader = new StreamReader(context.Request.Body);
            fcm.Received.Enqueue((context.Request.Headers.Authorization.ToString(), await reader.ReadToEndAsync()));
            await fcm.Respond(context, attempt);
        }), TestContext.Current.CancellationToken);
        return fcm;
    }

    public static Task Error(HttpContext context, int status, string googleStatus, string message, object[]? details = null)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = new { code = status, message, status = googleStatus, details = details ?? [] } });
    }

    public static object FcmError(string errorCode) =>
        new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = errorCode };

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
