using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace AuthApp.Testing;

/// <summary>
/// A client of <c>GET /auth/events</c>: opens the stream, reads it in the background (with the in-box SSE parser) and
/// lets a test wait, with a deadline, for the event it expects. Every event read is kept in <see cref="Received"/>.
/// </summary>
public sealed class LiveEvents : IAsyncDisposable
{
    private readonly Channel<LiveEvent> _events = Channel.CreateUnbounded<LiveEvent>();
    private readonly List<LiveEvent> _received = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private LiveEvents(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    public HttpStatusCode Status => _response.StatusCode;

    public HttpResponseMessage Response => _response;

    /// <summary>Every event read so far (heartbeats included), in order.</summary>
    public IReadOnlyList<LiveEvent> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>True once the server ended the stream.</summary>
    public bool Closed => _reading.IsCompleted;

    /// <summary>Opens the stream; a refusal (no 200) is returned as it is, to be asserted on.</summary>
    public static async Task<LiveEvents> OpenAsync(HttpClient client, string? lastEventId = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return new LiveEvents(response);
    }

    /// <summary>The next event of type <paramref name="type"/> that <paramref name="match"/> accepts, skipping others; fails after <paramref name="within"/>.</summary>
    public async Task<LiveEvent> WaitForAsync(string type, Func<JsonNode?, bool>? match = null, TimeSpan? within = null)
    {
        using var deadline = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(deadline.Token);
                if (next.Type == type && (match?.Invoke(next.Data) ?? true))
                {
                    return next;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"No '{type}' event within {within ?? TimeSpan.FromSeconds(15)}; received: {string.Join(", ", Received.Select(e => $"{e.Type} {e.Data?.ToJsonString()}"))}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The stream ended before a '{type}' event; received: {string.Join(", ", Received.Select(e => $"{e.Type} {e.Data?.ToJsonString()}"))}");
        }
    }

    /// <summary>Waits until the server ends the stream (fails after <paramref name="within"/>).</summary>
    public async Task WaitClosedAsync(TimeSpan? within = null) => await _reading.WaitAsync(within ?? TimeSpan.FromSeconds(15));

    private async Task ReadAsync()
    {
        try
        {
            if (_response.StatusCode != HttpStatusCode.OK)
            {
                return;
            }

            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
            {
                var received = new LiveEvent(item.EventType, item.Data.Length == 0 ? null : JsonNode.Parse(item.Data), item.EventId, item.ReconnectionInterval);
                lock (_received)
                {
                    _received.Add(received);
                }

                await _events.Writer.WriteAsync(received);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}

/// <summary>One event read from the stream.</summary>
public sealed record LiveEvent(string Type, JsonNode? Data, string? Id, TimeSpan? Retry);
