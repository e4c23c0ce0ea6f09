using AuthApp.Firebase.Http;
using AuthApp.Http;
using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AuthApp.Firebase.Database;

/// <summary>
/// The Realtime Database REST client. A singleton: each call takes a pooled
/// <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> (named <see cref="HttpClientName"/>),
/// whose pipeline holds the resilience handler and the bearer-token handler. Answers are read from the
/// stream after their headers, never more than <see cref="FirebaseOptions.MaxResponseBytes"/> of them and
/// within <see cref="FirebaseOptions.TotalTimeout"/>: any tenant can grow the data it owns, and that must
/// not grow the memory of the process that reads it.
/// </summary>
public sealed partial class FirebaseDatabaseClient : IFirebaseDatabase
{
    /// <summary>The name of the <see cref="HttpClient"/> this client uses.</summary>
    public const string HttpClientName = "AuthApp.Firebase.Database";

    /// <summary>The ETag the database gives an empty location.</summary>
    public const string NullETag = "null_etag";

    /// <summary>An error body is one sentence (<c>{"error": "..."}</c>); a proxy's page beyond this is classified by its status alone.</summary>
    private const int MaxErrorBodyBytes = 64 * 1024;

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly ILogger<FirebaseDatabaseClient> _logger;
    private readonly int _maxResponseBytes;
    private readonly TimeSpan _totalTimeout;

    public FirebaseDatabaseClient(IHttpClientFactory httpClientFactory, IOptions<FirebaseOptions> options, ILogger<FirebaseDatabaseClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _logger = logger;
        Endpoint = DatabaseEndpoint.From(options.Value);
        _maxResponseBytes = options.Value.MaxResponseBytes;
        _totalTimeout = options.Value.TotalTimeout;
    }

    /// <summary>Where requests go.</summary>
    public DatabaseEndpoint Endpoint { get; }

    public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default) =>
        GetAsync(path, query, _maxResponseBytes, cancellationToken);

    public async Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var segments = DatabasePath.Split(path);
        var queryString = new StringBuilder();
        query?.AppendTo(queryString);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(segments, queryString));
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, request.Method, DatabasePath.Join(segments), Math.Min(maxBytes, _maxResponseBytes), cancellationToken).ConfigureAwait(false);
    }

    public Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default) =>
        GetShallowAsync(path, _maxResponseBytes, cancellationToken);

    public async Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var segments = DatabasePath.Split(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(segments, new StringBuilder("?shallow=true")));
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, request.Method, DatabasePath.Join(segments), Math.Min(maxBytes, _maxResponseBytes), cancellationToken).ConfigureAwait(false);
    }

    public IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default)
    {
        // Checked here rather than in the iterator, so that a bad argument fails at the call, before any enumeration.
        ArgumentOutOfRangeException.ThrowIfNegative(maxChildBytes);
        var segments = DatabasePath.Split(path);
        var queryString = new StringBuilder();
        query?.AppendTo(queryString);
        return StreamChildrenAsync(segments, queryString, Math.Min(maxChildBytes, _maxResponseBytes), logSkipped: true, cancellationToken);
    }

    public IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        return KeysAsync(segments, cancellationToken);
    }

    public async Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, BuildUri(segments, null));
        request.Headers.Add("X-Firebase-ETag", "true");
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
        var value = await ReadJsonAsync(response, request.Method, DatabasePath.Join(segments), _maxResponseBytes, cancellationToken).ConfigureAwait(false);
        return new DatabaseETagged(value, ReadETag(response) ?? throw Unexpected(segments, "the response carried no ETag"));
    }

    public async Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        ValidateData(segments, value);
        using var request = new HttpRequestMessage(HttpMethod.Put, BuildUri(segments, new StringBuilder("?print=silent")))
        {
            Content = JsonContent(value),
        };
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
    }

    public Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        ValidateData(segments, value);
        return ConditionalAsync(HttpMethod.Put, segments, JsonContent(value), etag, cancellationToken);
    }

    public async Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        var segments = DatabasePath.Split(path);
        if (updates.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in updates)
            {
                var relative = DatabasePath.Split(key, nameof(updates));
                if (relative.Length == 0)
                {
                    throw new ArgumentException("An update key must name a child, not the location itself.", nameof(updates));
                }

                ValidateData([.. segments, .. relative], value);
                writer.WritePropertyName(string.Join('/', relative));
                WriteNode(writer, value);
            }

            writer.WriteEndObject();
        }

        // A PATCH sets values: sending it twice leaves the same state.
        using var request = new HttpRequestMessage(HttpMethod.Patch, BuildUri(segments, new StringBuilder("?print=silent")))
        {
            Content = JsonContent(buffer.WrittenMemory.ToArray()),
        }.MarkIdempotent();
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string path, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        using var request = new HttpRequestMessage(HttpMethod.Delete, BuildUri(segments, new StringBuilder("?print=silent")));
        using var response = await SendAsync(request, segments, cancellationToken).ConfigureAwait(false);
    }

    public Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default)
    {
        var segments = DatabasePath.Split(path);
        return ConditionalAsync(HttpMethod.Delete, segments, null, etag, cancellationToken);
    }

    public async Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        var segments = DatabasePath.Split(path);
        var current = await GetWithETagAsync(path, cancellationToken).ConfigureAwait(false);
        var (value, etag) = (current.Value, current.ETag);
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var proposed = update(value?.DeepClone());
            var result = await SetIfMatchAsync(path, proposed, etag, cancellationToken).ConfigureAwait(false);
            if (result.Succeeded)
            {
                return proposed;
            }

            LogTransactionConflict(_logger, DatabasePath.Join(segments), attempt);
            value = result.CurrentValue;
            etag = result.CurrentETag ?? throw Unexpected(segments, "a 412 response carried no ETag");
        }

        throw new DatabaseException(
            DatabaseErrorKind.PreconditionFailed,
            $"Realtime Database transaction on '{DatabasePath.Join(segments)}' gave up after {maxAttempts} conflicting attempts.",
            statusCode: HttpStatusCode.PreconditionFailed)
        {
            Path = DatabasePath.Join(segments),
        };
    }

    private async Task<ConditionalWriteResult> ConditionalAsync(HttpMethod method, string[] segments, HttpContent? content, string etag, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(etag);
        using var request = new HttpRequestMessage(method, BuildUri(segments, null)) { Content = content };
        request.Headers.TryAddWithoutValidation("if-match", etag);
        request.Headers.Add("X-Firebase-ETag", "true");
        // Resending a conditional write after an ambiguous failure could apply a transaction twice.
        request.MarkNotIdempotent();
        using var response = await SendAsync(request, segments, cancellationToken, allowPreconditionFailed: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            var current = await ReadJsonAsync(response, request.Method, DatabasePath.Join(segments), _maxResponseBytes, cancellationToken).ConfigureAwait(false);
            return new ConditionalWriteResult(false, current, ReadETag(response));
        }

        return new ConditionalWriteResult(true, null, ReadETag(response));
    }

    private Uri BuildUri(string[] segments, StringBuilder? query)
    {
        var builder = new StringBuilder(Endpoint.BaseUri.GetLeftPart(UriPartial.Authority));
        foreach (var segment in segments)
        {
            builder.Append('/').Append(Uri.EscapeDataString(segment));
        }

        builder.Append(segments.Length == 0 ? "/.json" : ".json");
        query ??= new StringBuilder();
        if (Endpoint.Namespace is { } ns)
        {
            DatabaseQuery.Append(query, "ns", ns);
        }

        builder.Append(query);
        return new Uri(builder.ToString(), UriKind.Absolute);
    }

    /// <param name="stream">
    /// A listen: sent through <see cref="StreamHttpClientName"/>, which has no resilience pipeline (no retry, no timeout
    /// that would end a stream living for hours), so its headers get a deadline here: <see cref="FirebaseOptions.TotalTimeout"/>.
    /// </param>
    private async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request, string[] segments, CancellationToken cancellationToken, bool allowPreconditionFailed = false, bool stream = false)
    {
        var path = DatabasePath.Join(segments);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            var http = _httpClientFactory.CreateClient(stream ? StreamHttpClientName : HttpClientName);
            using var headersDeadline = stream ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken) : null;
            headersDeadline?.CancelAfter(_totalTimeout);
            // Headers only: the body is read from the stream, bounded in size and time (ResponseBody) or per event (a listen).
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersDeadline?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutRejectedException or BrokenCircuitException || ex.IsTransportFailure()
                                   || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogUnavailable(_logger, request.Method.Method, path, ex.GetType().Name);
            throw new DatabaseException(
                DatabaseErrorKind.Unavailable,
                $"Realtime Database {request.Method.Method} of '{path}' failed: the database did not answer ({ex.GetType().Name}).",
                ex)
            { Path = path };
        }

        LogRequest(_logger, request.Method.Method, path, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (response.IsSuccessStatusCode || (allowPreconditionFailed && response.StatusCode == HttpStatusCode.PreconditionFailed))
        {
            return response;
        }

        using (response)
        {
            throw await ToExceptionAsync(request.Method, path, response, cancellationToken).ConfigureAwait(false);
        }
    }

    private static ByteArrayContent JsonContent(JsonNode? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteNode(writer, value);
        }

        return JsonContent(buffer.WrittenMemory.ToArray());
    }

    private static ByteArrayContent JsonContent(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    private static void WriteNode(Utf8JsonWriter writer, JsonNode? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            value.WriteTo(writer);
        }
    }

    /// <summary>Keys inside written objects obey the same rules as path keys (bar the <c>.sv</c>-style specials).</summary>
    private static void ValidateData(string[] segments, JsonNode? value, int depth = 0)
    {
        if (value is JsonObject obj)
        {
            foreach (var (key, child) in obj)
            {
                if (key is ".sv" or ".value" or ".priority")
                {
                    continue;
                }

                if (DatabasePath.InvalidReason(key) is { } reason)
                {
                    throw new DatabaseKeyException(DatabasePath.Join([.. segments, key]), key, reason, "value");
                }

                if (depth < 64)
                {
                    ValidateData([.. segments, key], child, depth + 1);
                }
            }
        }
        else if (value is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (depth < 64)
                {
                    ValidateData([.. segments, i.ToString(System.Globalization.CultureInfo.InvariantCulture)], array[i], depth + 1);
                }
            }
        }
    }

    private DatabaseException Unexpected(string[] segments, string why) =>
        new(DatabaseErrorKind.Unexpected, $"Realtime Database call on '{DatabasePath.Join(segments)}' failed: {why}.") { Path = DatabasePath.Join(segments) };

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "RTDB {Method} {Path} -> {Status} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "RTDB {Method} {Path} got no answer: {Failure}")]
    private static partial void LogUnavailable(ILogger logger, string method, string path, string failure);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "RTDB transaction on {Path} lost attempt {Attempt} to a concurrent writer")]
    private static partial void LogTransactionConflict(ILogger logger, string path, int attempt);
}
