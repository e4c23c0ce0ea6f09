using System.Text.Json.Nodes;
using System.Threading.Channels;
using AuthApp.DatabaseEmulator.Rules.Access;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Http.Streaming;

/// <summary>
/// A streaming request's view of its namespace: turns each write into the events the listened location sees, as
/// Firebase sends them (<c>put</c> for a value set at or below it, or above it with its new value at "/"; <c>patch</c> for
/// an update at or below it), and judges its read again with each write (a <c>cancel</c> when the rules now say no).
/// Events wait in a bounded queue: a client that does not read them is dropped, never allowed to grow memory.
/// </summary>
internal sealed class StreamListener(string[] path, RequestAccess access, int capacity) : IChangeListener
{
    private readonly Channel<StreamEvent> _events = Channel.CreateBounded<StreamEvent>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<StreamEvent> Events => _events.Reader;

    /// <summary>True when the client fell <c>Streaming:MaxPendingEvents</c> behind and the stream was ended for it.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The location's value when the stream opens: a <c>put</c> at "/". Called under the namespace's lock.</summary>
    public void Start(JsonNode? root) => _events.Writer.TryWrite(StreamEvent.Put([], JsonTree.GetAt(root, path)));

    public bool OnChanged(JsonNode? root, IReadOnlyList<Change> changes)
    {
        // Judged first: a listener the rules no longer let read the location gets none of what the write put there.
        if (!access.CanRead(root, path))
        {
            // The queue may be full: the reader then sees the completion without the event and ends the stream anyway.
            _events.Writer.TryWrite(StreamEvent.PermissionDenied);
            _events.Writer.TryComplete();
            return false;
        }

        foreach (var change in changes)
        {
            foreach (var streamEvent in EventsFor(change, root))
            {
                if (!_events.Writer.TryWrite(streamEvent))
                {
                    Overflowed = true;
                    _events.Writer.TryComplete();
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Stops the queue (the client left, or the stream ended for another reason).</summary>
    public void Stop() => _events.Writer.TryComplete();

    private IEnumerable<StreamEvent> EventsFor(Change change, JsonNode? root)
    {
        if (IsAtOrBelow(change.Path, path))
        {
            var relative = change.Path.AsSpan(path.Length);
            yield return change.Merge ? StreamEvent.Patch(relative, change.Value) : StreamEvent.Put(relative, change.Value);
        }
        else if (IsAtOrBelow(path, change.Path))
        {
            // Written above the location: what the location holds now, unless none of an update's children reach it.
            if (!change.Merge || ((JsonObject)change.Value!).Any(child => Touches([.. change.Path, .. child.Key.Split('/')])))
            {
                yield return StreamEvent.Put([], JsonTree.GetAt(root, path));
            }
        }
    }

    private bool Touches(string[] written) => IsAtOrBelow(written, path) || IsAtOrBelow(path, written);

    private static bool IsAtOrBelow(string[] candidate, string[] location) =>
        candidate.Length >= location.Length && candidate.AsSpan(0, location.Length).SequenceEqual(location);
}
