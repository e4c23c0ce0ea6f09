using System.Net;

namespace AuthApp.Firebase;

/// <summary>
/// Base of every error the Firebase clients raise. The message is safe to log: it never holds a
/// token, key, password or email address; <see cref="ServerCode"/> holds Google's error code word
/// (e.g. <c>EMAIL_EXISTS</c>, <c>UNREGISTERED</c>) when the server sent one.
/// </summary>
public class FirebaseException : Exception
{
    public FirebaseException(string message, HttpStatusCode? statusCode = null, string? serverCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        ServerCode = serverCode;
    }

    /// <summary>The HTTP status Google answered with, when there was an answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Google's error code word, when the server sent one.</summary>
    public string? ServerCode { get; }
}

/// <summary>
/// A Firebase API could not be reached or did not process the request: network failure, timeout,
/// 5xx, 429, or an open circuit. An API answers 503 (with <see cref="RetryAfter"/> when known).
/// </summary>
public sealed class FirebaseServiceUnavailableException : FirebaseException
{
    public FirebaseServiceUnavailableException(string message, TimeSpan? retryAfter = null, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, statusCode, null, innerException)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long the caller should wait before trying again, when known.</summary>
    public TimeSpan? RetryAfter { get; }
}
