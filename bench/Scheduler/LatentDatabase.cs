using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// The database as the real Realtime Database feels from a server: every call waits a round trip first
/// (<c>--latency</c>, e.g. 20 ms) before the emulator, which answers in a fraction of a millisecond, serves it.
/// Shows how the worker behaves when it waits on the network rather than on the machine's two cores.
/// </summary>
internal sealed class LatentDatabase(IFirebaseDatabase inner, TimeSpan roundTrip) : IFirebaseDatabase
{
    public async Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.GetAsync(path, query, cancellationToken);
    }

    public async Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.GetShallowAsync(path, cancellationToken);
    }

    public async Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.GetAsync(path, query, maxBytes, cancellationToken);
    }

    public async Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.GetShallowAsync(path, maxBytes, cancellationToken);
    }

    public async IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        await foreach (var child in inner.GetChildrenAsync(path, query, maxChildBytes, cancellationToken))
        {
            yield return child;
        }
    }

    public async IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        await foreach (var key in inner.GetChildKeysStreamAsync(path, cancellationToken))
        {
            yield return key;
        }
    }

    public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(path, maxEventBytes, cancellationToken);

    public async Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.GetWithETagAsync(path, cancellationToken);
    }

    public async Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        await inner.SetAsync(path, value, cancellationToken);
    }

    public async Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.SetIfMatchAsync(path, value, etag, cancellationToken);
    }

    public async Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        await inner.UpdateAsync(path, updates, cancellationToken);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        await inner.DeleteAsync(path, cancellationToken);
    }

    public async Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.DeleteIfMatchAsync(path, etag, cancellationToken);
    }

    public async Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default)
    {
        await Task.Delay(roundTrip, cancellationToken);
        return await inner.TransactAsync(path, update, maxAttempts, cancellationToken);
    }
}
