using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace AuthApp.Firebase.Database;

/// <summary>
/// Listening: the streaming REST protocol (a <c>GET</c> with <c>Accept: text/event-stream</c>), through its own
/// <see cref="HttpClient"/> (<see cref="StreamHttpClientName"/>): the same bearer token and address as every call, no
/// resilience pipeline. Retrying is the caller's decision (it listens again), and no timeout may end a healthy stream.
/// </summary>
public sealed partial class FirebaseDatabaseClient
{
    /// <summary>The name of the <see cref="HttpClient"/> that listens (no resilience pipeline; see <see cref="ListenAsync"/>).</summary>
    public const string StreamHttpClientName = "AuthApp.Firebase.Database.Streams";

    private const string EventStreamMediaType = "text/event-stream";

    public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator, so that a bad argument fails at the call, before any enumeration.
        ArgumentOutOfRangeException.ThrowIfNegative(maxEventBytes);
        var segments = DatabasePath.Split(path);
        return StreamEventsAsync(segments, Math.Min(maxEventBytes, _maxResponseBytes), cancellationToken);
    }

    private async IAsyncEnumerable<DatabaseStreamEvent> StreamEventsAsync(string[] segments, int maxEventBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = DatabasePath.Join(segments);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(segments, null));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(EventStreamMediaType));
        using var response = await SendAsync(request, segments, cancellationToken, stream: true).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType != EventStreamMediaType)
        {
            // A proxy's page or a server that ignored the Accept header: its body would never hold an event.
            throw new DatabaseException(
                DatabaseErrorKind.InvalidResponse,
                $"Realtime Database stream of '{path}' failed: the answer is '{response.Content.Headers.ContentType?.MediaType}', not an event stream.")
            { Path = path };
        }

        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using var events = new DatabaseEventStream(body, path, maxEventBytes, _logger, cancellationToken);
        while (true)
        {
            yield return await events.NextAsync().ConfigureAwait(false);
        }
    }
}
