using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Database;

/// <summary>
/// How the client reads answers: after the headers, from the stream, never more than a ceiling and within a time
/// budget (<see cref="ResponseBody"/>); children one at a time (<see cref="ChildStream"/>); error bodies and status
/// codes into <see cref="DatabaseException"/>s.
/// </summary>
public sealed partial class FirebaseDatabaseClient
{
    /// <summary>Keys only: a shallow read whose children are never kept (a bound of 0 bytes).</summary>
    private async IAsyncEnumerable<string> KeysAsync(string[] segments, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var child in StreamChildrenAsync(segments, new StringBuilder("?shallow=true"), 0, logSkipped: false, cancellationToken).ConfigureAwait(false))
        {
            yield return child.Key;
        }
    }

    private async IAsyncEnumerable<DatabaseChild> StreamChildrenAsync(
        string[] segments, StringBuilder query, int maxChildBytes, bool logSkipped, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(segments, query));
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            yield break;
        }

        // Disposing the response (also when the consumer stops early) closes the stream: the rest is never read.
        using var body = await OpenBodyAsync(response, request.Method, DatabasePath.Join(segments), cancellationToken).ConfigureAwait(false);
        using var children = new ChildStream(body, maxChildBytes, _maxResponseBytes);
        while (await children.NextAsync().ConfigureAwait(false) is { } child)
        {
            if (child.TooLarge && logSkipped)
            {
                LogChildSkipped(_logger, body.Path, child.Key, maxChildBytes);
            }

            yield return child;
        }
    }

    private async Task<DatabaseException> ToExceptionAsync(HttpMethod method, string path, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? serverError = null;
        try
        {
            var body = await ReadJsonAsync(response, method, path, Math.Min(MaxErrorBodyBytes, _maxResponseBytes), cancellationToken).ConfigureAwait(false);
            if (body is JsonObject { } obj && obj["error"] is JsonValue error && error.GetValueKind() == JsonValueKind.String)
            {
                serverError = error.GetValue<string>();
            }
        }
        catch (DatabaseException)
        {
            // Not a database error body (a proxy's HTML page, say), too large, or cut off: classify by status alone.
        }

        var status = response.StatusCode;
        var kind = (int)status switch
        {
            400 when serverError is not null && serverError.StartsWith("Index not defined", StringComparison.Ordinal) => DatabaseErrorKind.IndexNotDefined,
            400 => DatabaseErrorKind.InvalidData,
            401 or 403 => DatabaseErrorKind.PermissionDenied,
            404 => DatabaseErrorKind.NotFound,
            412 => DatabaseErrorKind.PreconditionFailed,
            413 => DatabaseErrorKind.PayloadTooLarge,
            429 => DatabaseErrorKind.TooManyRequests,
            408 or >= 500 => DatabaseErrorKind.Unavailable,
            _ => DatabaseErrorKind.Unexpected,
        };

        string? indexField = null, indexPath = null;
        if (kind == DatabaseErrorKind.IndexNotDefined)
        {
            var match = IndexNotDefinedPattern().Match(serverError!);
            if (match.Success)
            {
                indexField = match.Groups["field"].Value;
                indexPath = match.Groups["path"].Value;
            }
        }

        TimeSpan? retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow,
            _ => null,
        };

        var message = $"Realtime Database {method.Method} of '{path}' failed: {kind} ({(int)status})"
                      + (serverError is null ? "." : $": {serverError}");
        return new DatabaseException(kind, message, statusCode: status)
        {
            Path = path,
            ServerError = serverError,
            IndexField = indexField,
            IndexPath = indexPath,
            RetryAfter = retryAfter,
        };
    }

    /// <summary>The answer's JSON: refused unread when its <c>Content-Length</c> exceeds <paramref name="maxBytes"/>, and as soon as more arrives otherwise.</summary>
    private async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, HttpMethod method, string path, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }

        var declared = response.Content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            throw ResponseFailures.TooLarge(_logger, method.Method, path, maxBytes);
        }

        using var body = await OpenBodyAsync(response, method, path, cancellationToken).ConfigureAwait(false);
        return await body.ReadJsonAsync(maxBytes, declared).ConfigureAwait(false);
    }

    private async Task<ResponseBody> OpenBodyAsync(HttpResponseMessage response, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return new ResponseBody(stream, method.Method, path, _totalTimeout, _logger, cancellationToken);
    }

    private static string? ReadETag(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault()?.Trim('"') : null;

    [System.Text.RegularExpressions.GeneratedRegex("\"\\.indexOn\": \"(?<field>[^\"]*)\", for path \"(?<path>[^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex IndexNotDefinedPattern();

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "RTDB read of {Path} skipped child {Key}: larger than {MaxBytes} bytes")]
    private static partial void LogChildSkipped(ILogger logger, string path, string key, int maxBytes);
}
