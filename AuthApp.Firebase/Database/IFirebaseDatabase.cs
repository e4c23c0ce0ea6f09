using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Database;

/// <summary>
/// The Realtime Database over its REST protocol. Paths are <c>/</c>-separated keys
/// (<c>users/abc/venues</c>); every key is validated before a request is sent
/// (<see cref="DatabaseKeyException"/>). Failures raise <see cref="DatabaseException"/>.
/// </summary>
public interface IFirebaseDatabase
{
    /// <summary>Reads the value at <paramref name="path"/> (null when nothing is there), optionally filtered by a query.</summary>
    Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the keys under <paramref name="path"/> without their contents (<c>shallow=true</c>): objects become <c>true</c>, leaves stay.</summary>
    Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="GetAsync(string, DatabaseQuery?, CancellationToken)"/>, buffering at most <paramref name="maxBytes"/>
    /// (and never more than <see cref="FirebaseOptions.MaxResponseBytes"/>): where other users decide how much is stored,
    /// a caller that expects a small value says so, and a larger answer fails with
    /// <see cref="DatabaseErrorKind.ResponseTooLarge"/> without being read.
    /// </summary>
    Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>As <see cref="GetShallowAsync(string, CancellationToken)"/>, buffering at most <paramref name="maxBytes"/> (see that <c>GetAsync</c> overload).</summary>
    Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the children of the location (optionally filtered by a query) one at a time, without buffering the answer.
    /// A child whose JSON text is at most <paramref name="maxChildBytes"/> (capped at <see cref="FirebaseOptions.MaxResponseBytes"/>)
    /// comes with its value; a larger one comes with <see cref="DatabaseChild.TooLarge"/> and no value, its bytes skipped,
    /// so one oversized child (a user who stored 200 MB) does not take its neighbours down with it. An array-shaped
    /// answer (integer-like keys) yields the indexes as keys and skips null gaps; a null or primitive location yields
    /// nothing. Memory stays within <paramref name="maxChildBytes"/> plus one JSON token; a single token larger than
    /// <see cref="FirebaseOptions.MaxResponseBytes"/> fails with <see cref="DatabaseErrorKind.ResponseTooLarge"/>.
    /// Stopping early releases the connection without reading the rest.
    /// </summary>
    IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// The keys under <paramref name="path"/> (a shallow read), streamed one at a time: unlike
    /// <see cref="GetShallowAsync(string, CancellationToken)"/>, memory does not grow with the number of keys.
    /// </summary>
    IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>
    /// Listens to <paramref name="path"/> (the streaming REST protocol: <c>Accept: text/event-stream</c>): yields the
    /// initial <see cref="DatabaseStreamEventKind.Put"/> of the location, then one <see cref="DatabaseStreamEventKind.Put"/>
    /// or <see cref="DatabaseStreamEventKind.Patch"/> per change and <see cref="DatabaseStreamEventKind.KeepAlive"/> as they
    /// come, until cancellation; events of other types are ignored. <paramref name="maxEventBytes"/> bounds one event's
    /// data (its <c>data:</c> text, capped at <see cref="FirebaseOptions.MaxResponseBytes"/>); a larger event fails with
    /// <see cref="DatabaseErrorKind.ResponseTooLarge"/> without being buffered. The stream never ends by itself:
    /// <list type="bullet">
    /// <item><c>cancel</c> (the rules no longer let the caller read) fails with <see cref="DatabaseErrorKind.PermissionDenied"/>;</item>
    /// <item><c>auth_revoked</c> (the credential expired) fails with <see cref="DatabaseErrorKind.CredentialExpired"/>: listen again;</item>
    /// <item>the server closing the stream, a broken connection, or headers that do not come within
    /// <see cref="FirebaseOptions.TotalTimeout"/> fail with <see cref="DatabaseErrorKind.Unavailable"/>: listen again;</item>
    /// <item>an HTTP error before the stream starts fails as the same error of a read does; malformed data fails with
    /// <see cref="DatabaseErrorKind.InvalidResponse"/>.</item>
    /// </list>
    /// The request is never retried nor given the resilience pipeline's timeouts (a stream lives for hours); stopping the
    /// enumeration closes the connection.
    /// </summary>
    IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default);

    /// <summary>Reads the value and its ETag (<c>X-Firebase-ETag: true</c>) for a later conditional write.</summary>
    Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Replaces the value at <paramref name="path"/> (PUT, <c>print=silent</c>); null deletes.</summary>
    Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the value only if the location still has <paramref name="etag"/> (<c>if-match</c>).
    /// On a mismatch nothing is written and the result carries the current value and ETag.
    /// </summary>
    Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes several children at once (PATCH, <c>print=silent</c>), atomically. Keys may be
    /// multi-segment paths relative to <paramref name="path"/> (<c>"venues/kitchen/lamp": "on"</c>);
    /// a null value deletes that child.
    /// </summary>
    Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default);

    /// <summary>Deletes the value at <paramref name="path"/> (no error when nothing is there).</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken = default);

    /// <summary>Deletes only if the location still has <paramref name="etag"/>.</summary>
    Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default);

    /// <summary>
    /// Read-modify-write with optimistic concurrency: reads the value and its ETag, applies
    /// <paramref name="update"/> to a copy, writes with <c>if-match</c>, and on 412 retries with the
    /// value the server returned, up to <paramref name="maxAttempts"/> times. <paramref name="update"/>
    /// may run several times and must have no side effects; returning null deletes the value.
    /// </summary>
    /// <returns>The value that was committed.</returns>
    /// <exception cref="DatabaseException"><see cref="DatabaseErrorKind.PreconditionFailed"/> when every attempt lost a race.</exception>
    Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default);
}

/// <summary>A value and the ETag the database computed for it.</summary>
public sealed record DatabaseETagged(JsonNode? Value, string ETag);

/// <summary>The outcome of an <c>if-match</c> write: on failure, the value and ETag that are there now.</summary>
public sealed record ConditionalWriteResult(bool Succeeded, JsonNode? CurrentValue, string? CurrentETag);

/// <summary>
/// One child of a location as <see cref="IFirebaseDatabase.GetChildrenAsync"/> streams it: its key and value or, when
/// its JSON text exceeded the caller's bound, <paramref name="TooLarge"/> and no value (its bytes were skipped, never held).
/// </summary>
public sealed record DatabaseChild(string Key, JsonNode? Value, bool TooLarge);
