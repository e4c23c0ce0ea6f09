using System.Net;

namespace AuthApp.Firebase.Database;

/// <summary>What went wrong with a Realtime Database call, in terms a caller can act on.</summary>
public enum DatabaseErrorKind
{
    /// <summary>Something the library could not classify.</summary>
    Unexpected,

    /// <summary>404: the database (namespace) or the endpoint does not exist.</summary>
    NotFound,

    /// <summary>
    /// 401/403: the credentials are missing, invalid, or the rules refuse the access; also a stream's <c>cancel</c>
    /// event (the rules, judged again after a write, no longer let the caller read the location).
    /// </summary>
    PermissionDenied,

    /// <summary>400: a query orders by a child that has no <c>.indexOn</c> in the rules.</summary>
    IndexNotDefined,

    /// <summary>412: an <c>if-match</c> write found a different value at the location.</summary>
    PreconditionFailed,

    /// <summary>400: the request was malformed (bad JSON, bad key, bad query).</summary>
    InvalidData,

    /// <summary>413: the payload exceeds what the database accepts.</summary>
    PayloadTooLarge,

    /// <summary>429: too many requests.</summary>
    TooManyRequests,

    /// <summary>5xx, a network failure, a timeout (also of a response body that arrives too slowly), or an open circuit breaker.</summary>
    Unavailable,

    /// <summary>
    /// The answer is larger than the client buffers (<see cref="FirebaseOptions.MaxResponseBytes"/> or the call's own
    /// ceiling): more is stored at the location than the caller expects, typically data a client or device wrote.
    /// Retrying does not help; read less (a query with a limit, a shallow read, or
    /// <see cref="IFirebaseDatabase.GetChildrenAsync"/>, which skips oversized children).
    /// </summary>
    ResponseTooLarge,

    /// <summary>
    /// The answer is not JSON the client accepts: malformed, nested deeper than 64 levels, or holding text that is
    /// not valid UTF-8 or UTF-16 (a lone surrogate). The database never sends such a thing; a proxy or an impostor might.
    /// </summary>
    InvalidResponse,

    /// <summary>
    /// A stream's <c>auth_revoked</c> event: the credential it was opened with has expired. Not a refusal: listening
    /// again with a fresh credential (the token provider renews it) picks up where the location is now.
    /// </summary>
    CredentialExpired,
}

/// <summary>
/// A failed Realtime Database call. The message names the operation, the database path and the
/// server's error text; it never contains an access token (tokens travel only in headers).
/// </summary>
public class DatabaseException : FirebaseException
{
    public DatabaseException(DatabaseErrorKind kind, string message, Exception? innerException = null, HttpStatusCode? statusCode = null)
        : base(message, statusCode, serverCode: null, innerException)
    {
        Kind = kind;
    }

    public DatabaseErrorKind Kind { get; }

    /// <summary>The database path the call addressed (e.g. <c>/users/abc</c>).</summary>
    public string? Path { get; init; }

    /// <summary>The server's <c>error</c> text, if it sent one.</summary>
    public string? ServerError { get; init; }

    /// <summary>For <see cref="DatabaseErrorKind.IndexNotDefined"/>: the location that needs the index, e.g. <c>/users</c>.</summary>
    public string? IndexPath { get; init; }

    /// <summary>For <see cref="DatabaseErrorKind.IndexNotDefined"/>: the missing <c>.indexOn</c> field, e.g. <c>email</c>.</summary>
    public string? IndexField { get; init; }

    /// <summary>The server's <c>Retry-After</c>, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>
/// A path or key that the Realtime Database would reject; thrown before any request is sent.
/// </summary>
public sealed class DatabaseKeyException : ArgumentException
{
    public DatabaseKeyException(string path, string segment, string reason, string? paramName = null)
        : base($"Invalid Realtime Database key '{Printable(segment)}' in path '{Printable(path)}': {reason}.", paramName)
    {
        InvalidPath = path;
        Segment = segment;
        Reason = reason;
    }

    /// <summary>The whole path given.</summary>
    public string InvalidPath { get; }

    /// <summary>The offending segment (key).</summary>
    public string Segment { get; }

    /// <summary>Why it is invalid.</summary>
    public string Reason { get; }

    private static string Printable(string text)
    {
        var shown = text.Length > 80 ? text[..80] + "…" : text;
        return string.Create(shown.Length, shown, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
    }
}
