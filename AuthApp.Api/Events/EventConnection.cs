using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace AuthApp.Api.Events;

/// <summary>
/// One client's stream: who it is (for the revocation and expiry checks) and the bounded queue of events waiting to
/// be written. Nothing runs for it but the request's own write loop, which waits on the queue.
/// </summary>
internal sealed class EventConnection
{
    private readonly Channel<SseItem<string>> _queue;
    private readonly int _capacity;
    private int _ended;

    public EventConnection(DateTimeOffset authTime, string? tokenHash, DateTimeOffset? expiresAt, int capacity)
    {
        AuthTime = authTime;
        TokenHash = tokenHash;
        ExpiresAt = expiresAt;
        _capacity = capacity;
        // One place more than the events allowed: the last one, saying why the stream ends, always fits.
        _queue = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(capacity + 1) { SingleReader = true });
    }

    public DateTimeOffset AuthTime { get; }

    /// <summary>The SHA-256 of the ID token the stream was opened with (never the token itself).</summary>
    public string? TokenHash { get; }

    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>The connection has not had its <see cref="ClientEvents.Sync"/> yet (the user's state was not known when it came).</summary>
    public bool AwaitsSync { get; set; }

    public bool Ended => Volatile.Read(ref _ended) != 0;

    /// <summary>Events queued and not yet written.</summary>
    public int Waiting => _queue.Reader.Count;

    /// <summary>Queues an event; false when the client is <see cref="_capacity"/> events behind (or the stream ended).</summary>
    public bool TryEnqueue(SseItem<string> item) =>
        !Ended && _queue.Reader.Count < _capacity && _queue.Writer.TryWrite(item);

    /// <summary>Queues the stream's last event and closes the queue; the write loop ends after writing it. Once only.</summary>
    public bool End(SseItem<string> last)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return false;
        }

        _queue.Writer.TryWrite(last);
        _queue.Writer.TryComplete();
        return true;
    }

    /// <summary>The events to write, until the stream ends or the client goes; then <paramref name="onClosed"/>.</summary>
    public async IAsyncEnumerable<SseItem<string>> ReadAllAsync(Action<EventConnection> onClosed, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await WaitAsync(cancellationToken))
            {
                while (_queue.Reader.TryRead(out var item))
                {
                    yield return item;
                }
            }
        }
        finally
        {
            Interlocked.Exchange(ref _ended, 1);
            onClosed(this);
        }
    }

    /// <summary>False when the queue is closed or the client went away (a client leaving is how most streams end, not an error).</summary>
    private async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _queue.Reader.WaitToReadAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
