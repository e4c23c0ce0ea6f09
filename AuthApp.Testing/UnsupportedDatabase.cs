using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Testing;

/// <summary>
/// A test double of <see cref="IFirebaseDatabase"/> that supports nothing until a test overrides what it needs: the
/// calls a test did not expect fail loudly rather than answer something made up.
/// </summary>
public abstract class UnsupportedDatabase : IFirebaseDatabase
{
    public virtual Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task DeleteAsync(string path, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public virtual Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}
