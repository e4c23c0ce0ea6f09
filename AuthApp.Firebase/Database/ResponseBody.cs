using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Database;

/// <summary>
/// The body of one answer, read after its headers. The client asks for <see cref="HttpCompletionOption.ResponseHeadersRead"/>
/// so that it can stop reading at a ceiling, and the resilience pipeline's timeouts end when the headers arrive; so the
/// body has its own budget: the time spent waiting for its bytes may not exceed <see cref="FirebaseOptions.TotalTimeout"/>.
/// A server that sends headers and then drips the body fails as <see cref="DatabaseErrorKind.Unavailable"/> instead of
/// holding the caller forever. The time a streamed read's consumer spends between children does not count.
/// </summary>
internal sealed class ResponseBody : IDisposable
{
    private const int InitialBytes = 16 * 1024;

    private readonly Stream _stream;
    private readonly TimeSpan _budget;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenSource _deadline;
    private TimeSpan _remaining;

    public ResponseBody(Stream stream, string method, string path, TimeSpan budget, ILogger logger, CancellationToken cancellationToken)
    {
        _stream = stream;
        Method = method;
        Path = path;
        Logger = logger;
        _budget = _remaining = budget;
        _cancellationToken = cancellationToken;
        _deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public string Method { get; }

    public string Path { get; }

    public ILogger Logger { get; }

    /// <summary>Reads what has arrived (0 at the end), within what is left of the budget.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        if (_remaining <= TimeSpan.Zero)
        {
            throw ResponseFailures.BodyUnavailable(Logger, Method, Path, _budget, new TimeoutException("The body's time budget is spent."));
        }

        var started = Stopwatch.GetTimestamp();
        _deadline.CancelAfter(_remaining);
        try
        {
            return await _stream.ReadAsync(buffer, _deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException
                                  || (e is OperationCanceledException && !_cancellationToken.IsCancellationRequested))
        {
            throw ResponseFailures.BodyUnavailable(Logger, Method, Path, _budget, e);
        }
        finally
        {
            _deadline.CancelAfter(Timeout.InfiniteTimeSpan);
            _remaining -= Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// The whole body as JSON, read into a pooled buffer that grows to at most <paramref name="maxBytes"/>; once it is
    /// full, a single further byte proves the answer too large, and the rest of it is never read. (Reading
    /// <paramref name="maxBytes"/> + 1 into the buffer itself would make the pool hand out twice the ceiling.)
    /// </summary>
    public async Task<JsonNode?> ReadJsonAsync(int maxBytes, long? declaredLength)
    {
        using var bytes = new PooledBuffer((int)Math.Min(declaredLength ?? InitialBytes, maxBytes));
        while (true)
        {
            var free = bytes.GetFreeMemory(maxBytes);
            if (free.IsEmpty)
            {
                if (await ReadAsync(new byte[1]).ConfigureAwait(false) > 0)
                {
                    throw ResponseFailures.TooLarge(Logger, Method, Path, maxBytes);
                }

                break;
            }

            var read = await ReadAsync(free).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            bytes.Advance(read);
        }

        return ResponseJson.Parse(bytes.WrittenSpan, Logger, Method, Path);
    }

    public void Dispose()
    {
        _deadline.Dispose();
        _stream.Dispose();
    }
}
