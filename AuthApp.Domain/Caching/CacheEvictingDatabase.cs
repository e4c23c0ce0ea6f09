using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Caching;

/// <summary>
/// <see cref="IFirebaseDatabase"/> as every host sees it: after each write (set, update at any level including the
/// root, delete, conditional writes, transactions), the users it touched have their cache entries evicted on
/// every replica. A failed write evicts too: it may have been applied before the error reached us.
/// </summary>
internal sealed class CacheEvictingDatabase(IFirebaseDatabase inner, UserCache cache) : IFirebaseDatabase
{
    public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(path, query, cancellationToken);

    public Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default) =>
        inner.GetShallowAsync(path, cancellationToken);

    public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default) =>
        inner.GetAsync(path, query, maxBytes, cancellationToken);

    public Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default) =>
        inner.GetShallowAsync(path, maxBytes, cancellationToken);

    public IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default) =>
        inner.GetChildrenAsync(path, query, maxChildBytes, cancellationToken);

    public IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default) =>
        inner.GetChildKeysStreamAsync(path, cancellationToken);

    public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(path, maxEventBytes, cancellationToken);

    public Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default) =>
        inner.GetWithETagAsync(path, cancellationToken);

    public Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) =>
        WriteAsync([new(path, value is null)], () => inner.SetAsync(path, value, cancellationToken));

    public Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default) =>
        WriteAsync([new(path, value is null)], () => inner.SetIfMatchAsync(path, value, etag, cancellationToken));

    public Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default) =>
        WriteAsync(updates.Select(update => new DatabaseWrite(Combine(path, update.Key), update.Value is null)), () => inner.UpdateAsync(path, updates, cancellationToken));

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) =>
        WriteAsync([new(path, Removes: true)], () => inner.DeleteAsync(path, cancellationToken));

    public Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default) =>
        WriteAsync([new(path, Removes: true)], () => inner.DeleteIfMatchAsync(path, etag, cancellationToken));

    public Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default) =>
        WriteAsync([new(path, Removes: true)], () => inner.TransactAsync(path, update, maxAttempts, cancellationToken));

    /// <summary><paramref name="path"/> joined with a multi-path update's key (itself possibly several segments).</summary>
    internal static string Combine(string path, string key)
    {
        var parent = path.Trim('/');
        var child = key.Trim('/');
        return parent.Length == 0 ? child : child.Length == 0 ? parent : parent + "/" + child;
    }

    private async Task WriteAsync(IEnumerable<DatabaseWrite> paths, Func<Task> write)
    {
        try
        {
            await write().ConfigureAwait(false);
        }
        finally
        {
            await cache.EvictWrittenAsync(paths).ConfigureAwait(false);
        }
    }

    private async Task<T> WriteAsync<T>(IEnumerable<DatabaseWrite> paths, Func<Task<T>> write)
    {
        try
        {
            return await write().ConfigureAwait(false);
        }
        finally
        {
            await cache.EvictWrittenAsync(paths).ConfigureAwait(false);
        }
    }
}
