using System.Net;
using AuthApp.DatabaseEmulator.Rules.Access;
using AuthApp.DatabaseEmulator.Tree;
using Microsoft.Net.Http.Headers;

namespace AuthApp.DatabaseEmulator.Http.Streaming;

/// <summary>
/// The Realtime Database's streaming REST protocol: a <c>GET</c> with <c>Accept: text/event-stream</c> answers with
/// server-sent events, a <c>put</c> of the location's value first and then an event per write that changes it
/// (<see cref="StreamListener"/>), <c>keep-alive</c> while nothing changes, <c>cancel</c> when the rules no longer let the
/// caller read it, and <c>auth_revoked</c> when the caller's ID token expires. The last two end the stream.
/// </summary>
internal sealed partial class EventStreams(EmulatorOptions options, TimeProvider time, ILogger<EventStreams> logger)
{
    public static bool IsRequested(HttpRequest request) =>
        request.Headers.Accept.Any(accept => accept?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>
    /// Serves the stream until the client leaves or the stream ends. A refusal (the read is not allowed, a query) throws
    /// <see cref="RtdbException"/> before anything is sent, to be answered as any request's.
    /// </summary>
    public async Task ServeAsync(HttpContext context, DatabaseNamespace database, string[] segments, RequestAccess access)
    {
        if (Query.Parse(context.Request.Query) is not null || context.Request.Query["shallow"] == "true")
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "This emulator streams whole locations only: no queries, no shallow.");
        }

        var listener = new StreamListener(segments, access, options.StreamMaxPendingEvents);
        lock (database.Sync)
        {
            access.RequireRead(database.Root, segments);
            listener.Start(database.Root);
            database.Listen(listener);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        var stopping = context.RequestAborted;
        try
        {
            await response.StartAsync(stopping);
            var ended = await PumpAsync(response, listener, access.CredentialExpiresAtMs, stopping);
            if (listener.Overflowed)
            {
                LogOverflowed(logger, database.Name, "/" + string.Join('/', segments), options.StreamMaxPendingEvents);
            }
            else if (ended is { } final)
            {
                await response.Body.WriteAsync(final.Text, stopping);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException && stopping.IsCancellationRequested)
        {
            // The client left.
        }
        finally
        {
            listener.Stop();
            database.StopListening(listener);
        }
    }

    /// <summary>Writes events until one ends the stream (returned, unwritten), the queue is stopped, or the client leaves.</summary>
    private async Task<StreamEvent?> PumpAsync(HttpResponse response, StreamListener listener, double? expiresAtMs, CancellationToken stopping)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var expiry = expiresAtMs is { } expires
            ? Task.Delay(TimeSpan.FromMilliseconds(Math.Max(0, expires - time.GetUtcNow().ToUnixTimeMilliseconds())), time, cancel.Token)
            : Task.Delay(Timeout.InfiniteTimeSpan, cancel.Token);
        try
        {
            while (true)
            {
                // Each wait's timer goes with it: a busy stream must not leave a keep-alive timer behind per event.
                using var round = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
                var next = listener.Events.WaitToReadAsync(round.Token).AsTask();
                var keepAlive = Task.Delay(options.StreamKeepAlive, time, round.Token);
                var first = await Task.WhenAny(next, keepAlive, expiry);
                await round.CancelAsync();
                if (first == expiry)
                {
                    return StreamEvent.AuthRevoked;
                }

                if (first == keepAlive)
                {
                    await response.Body.WriteAsync(StreamEvent.KeepAlive.Text, stopping);
                    await response.Body.FlushAsync(stopping);
                    continue;
                }

                if (!await next)
                {
                    return null;
                }

                while (listener.Events.TryRead(out var streamEvent))
                {
                    if (streamEvent.Final)
                    {
                        return streamEvent;
                    }

                    await response.Body.WriteAsync(streamEvent.Text, stopping);
                }

                await response.Body.FlushAsync(stopping);
            }
        }
        finally
        {
            await cancel.CancelAsync();
        }
    }

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Stream of {Path} ns={Namespace} ended: the client fell {Pending} events behind")]
    private static partial void LogOverflowed(ILogger logger, string @namespace, string path, int pending);
}
