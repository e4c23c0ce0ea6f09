namespace AuthApp.Firebase.Database;

/// <summary>
/// A listen's response body as <see cref="System.Net.ServerSentEvents.SseParser"/> reads it, bounding what one event can
/// make the parser hold. The parser keeps a whole line, and a whole event's data, before it hands either over, growing
/// its buffers for them as far as the server sends: one oversized event would grow this process's memory by whatever
/// a tenant stored. This stream counts the bytes read since the parser last dispatched an event
/// (<see cref="EventDispatched"/>, called from the item parser) and hands out no more than <c>maxBytes</c> of them; when
/// the parser asks for more, the event it is still reading is larger than the bound and the read fails with
/// <see cref="DatabaseErrorKind.ResponseTooLarge"/>, the rest never read. Bytes the parser read ahead of a dispatched
/// event are forgiven, so an event within the bound never fails, and the parser holds at most about two bounds (what it
/// read ahead, plus the bound). A data-less blank line (an SSE comment) dispatches nothing and keeps counting: the
/// database sends none.
/// </summary>
internal sealed class EventBoundStream(Stream inner, int maxBytes, Func<DatabaseException> tooLarge) : Stream
{
    private int _sinceEvent;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>The parser has handed over an event: what it reads from now on belongs to the next.</summary>
    public void EventDispatched() => _sinceEvent = 0;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var left = maxBytes - _sinceEvent;
        if (left <= 0)
        {
            throw tooLarge();
        }

        var read = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, left)], cancellationToken).ConfigureAwait(false);
        _sinceEvent += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The parser is only enumerated asynchronously; a blocking read would hold a thread for hours.</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
