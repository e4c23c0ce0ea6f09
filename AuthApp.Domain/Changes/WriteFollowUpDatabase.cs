using System.Text.Json.Nodes;
using AuthApp.Domain.Caching;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Changes;

/// <summary>
/// <see cref="IFirebaseDatabase"/> as every host sees it: after each write (set, update at any level including the
/// root, delete, conditional writes, transactions), the users it touched have their cache entries evicted on every
/// replica, and, once the write has landed, what it wrote is announced on each user's change channel
/// (<see cref="UserChangeFeed"/>) for their live streams. A failed write evicts too (it may have been applied before
/// the error reached us) but announces nothing: a stream reports only what landed, and a write that did land after
/// all is seen by the streams through the database.
/// </summary>
internal sealed class WriteFollowUpDatabase(IFirebaseDatabase inner, UserCache cache, UserChangeFeed feed) : IFirebaseDatabase
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

    public Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default) =>
        inner.GetWithETagAsync(path, cancellationToken);

    public async Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default)
    {
        await FollowAsync([new(path, value is null)], () => inner.SetAsync(path, value, cancellationToken)).ConfigureAwait(false);
        feed.AnnounceWrites([(path, value)]);
    }

    public async Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default)
    {
        var result = await FollowAsync([new(path, value is null)], () => inner.SetIfMatchAsync(path, value, etag, cancellationToken)).ConfigureAwait(false);
        if (result.Succeeded)
        {
            feed.AnnounceWrites([(path, value)]);
        }

        return result;
    }

    public async Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default)
    {
        await FollowAsync(
            updates.Select(update => new DatabaseWrite(Combine(path, update.Key), update.Value is null)),
            () => inner.UpdateAsync(path, updates, cancellationToken)).ConfigureAwait(false);
        feed.AnnounceWrites(updates.Select(update => (Combine(path, update.Key), update.Value)));
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        await FollowAsync([new(path, Removes: true)], () => inner.DeleteAsync(path, cancellationToken)).ConfigureAwait(false);
        feed.AnnounceWrites([(path, null)]);
    }

    public async Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default)
    {
        var result = await FollowAsync([new(path, Removes: true)], () => inner.DeleteIfMatchAsync(path, etag, cancellationToken)).ConfigureAwait(false);
        if (result.Succeeded)
        {
            feed.AnnounceWrites([(path, null)]);
        }

        return result;
    }

    public async Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default)
    {
        var committed = await FollowAsync([new(path, Removes: true)], () => inner.TransactAsync(path, update, maxAttempts, cancellationToken)).ConfigureAwait(false);
        feed.AnnounceWrites([(path, committed)]);
        return committed;
    }

    public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(path, maxEventBytes, cancellationToken);

    /// <summary><paramref name="path"/> joined with a multi-path update's key (itself possibly several segments).</summary>
    internal static string Combine(string path, string key)
    {
        var parent = path.Trim('/');
        var child = key.Trim('/');
        return parent.Length == 0 ? child : child.Length == 0 ? parent : parent + "/" + child;
    }

    private async Task FollowAsync(IEnumerable<DatabaseWrite> paths, Func<Task> write)
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

    private async Task<T> FollowAsync<T>(IEnumerable<DatabaseWrite> paths, Func<Task<T>> write)
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
