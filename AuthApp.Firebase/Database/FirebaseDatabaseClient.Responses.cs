using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Database;

/// <summary>
/// How the client reads answers: after the headers, from the stream, never more than a ceiling and within a time
/// budget (<see cref="ResponseBody"/>); error bodies and status codes into <see cref="DatabaseException"/>s.
/// </summary>
public sealed partial class FirebaseDatabaseClient
{
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
        return new ResponseBody(stream, method.Method, path, _bodyTimeout, _logger, cancellationToken);
    }

    private static string? ReadETag(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ETag", out var values) ? values.FirstOrDefault()?.Trim('"') : null;

    [System.Text.RegularExpressions.GeneratedRegex("\"\\.indexOn\": \"(?<field>[^\"]*)\", for path \"(?<path>[^\"]*)\"")]
    private static partial System.Text.RegularExpressions.Regex IndexNotDefinedPattern();
}
