using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Tree;
using Microsoft.Net.Http.Headers;

namespace AuthApp.DatabaseEmulator.Http;

/// <summary>
/// Serves the Realtime Database REST protocol: <c>/{path}.json</c> with GET, PUT, POST, PATCH and DELETE,
/// <c>?ns=</c>, queries, <c>shallow</c>, <c>print=silent|pretty</c>, <c>X-Firebase-ETag</c> and <c>if-match</c>.
/// Any bearer token (or none) is accepted: every request acts as the owner.
/// </summary>
internal sealed partial class RestHandler(
    DatabaseStore store,
    IndexRules rules,
    PushIds pushIds,
    TimeProvider time,
    EmulatorOptions options,
    ILogger<RestHandler> logger)
{
    private static readonly byte[] NullBody = "null"u8.ToArray();
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 256 };

    private readonly record struct Reply(HttpStatusCode Status, byte[] Body, string? ETag = null, bool Silenceable = true);

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var method = request.Method;
        if (HttpMethods.IsPost(method) && request.Headers["X-HTTP-Method-Override"] is { Count: > 0 } methodOverride)
        {
            method = methodOverride.ToString().ToUpperInvariant();
        }

        var ns = request.Query["ns"] is { Count: > 0 } nsValue && nsValue.ToString().Length > 0 ? nsValue.ToString() : options.DefaultNamespace;
        Reply reply;
        try
        {
            var segments = ParsePath(request.Path.Value ?? "/");
            var database = store.Get(ns);
            reply = method switch
            {
                "GET" => Get(request, database, segments),
                "PUT" => Put(request, database, segments, await ReadBodyAsync(context)),
                "POST" => Post(database, segments, await ReadBodyAsync(context)),
                "PATCH" => Patch(database, segments, await ReadBodyAsync(context)),
                "DELETE" => Delete(request, database, segments),
                _ => throw new RtdbException(HttpStatusCode.MethodNotAllowed, "Method not allowed."),
            };
        }
        catch (RtdbException ex)
        {
            reply = Error(ex.Status, ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            reply = Error(HttpStatusCode.RequestEntityTooLarge, "Payload too large.");
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(logger, ex, method, request.Path.Value ?? "/");
            reply = Error(HttpStatusCode.InternalServerError, "Internal error.");
        }

        await WriteAsync(context, reply);
        LogRequest(logger, method, request.Path.Value ?? "/", ns, (int)reply.Status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private Reply Get(HttpRequest request, DatabaseNamespace database, string[] segments)
    {
        var query = Query.Parse(request.Query);
        var shallow = request.Query["shallow"] == "true";
        if (shallow && query is not null)
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "Mixing 'shallow' and querying parameters is not supported");
        }

        if (query is not null)
        {
            rules.RequireIndex(segments, query);
        }

        var pretty = request.Query["print"] == "pretty";
        lock (database.Sync)
        {
            var node = JsonTree.GetAt(database.Root, segments);
            var etag = WantsETag(request) ? JsonTree.ETag(node) : null;
            var body = query is null ? JsonTree.Serialize(node, shallow, pretty) : JsonTree.Serialize(query.Apply(node), pretty: pretty);
            return new Reply(HttpStatusCode.OK, body, etag);
        }
    }

    private Reply Put(HttpRequest request, DatabaseNamespace database, string[] segments, JsonNode? body)
    {
        var ifMatch = IfMatch(request);
        Reply reply;
        lock (database.Sync)
        {
            var existing = JsonTree.GetAt(database.Root, segments);
            if (ifMatch is not null && PreconditionFails(existing, ifMatch) is { } failed)
            {
                return failed;
            }

            var value = JsonTree.Normalize(body, existing, time.GetUtcNow().ToUnixTimeMilliseconds());
            database.Root = JsonTree.SetAt(database.Root, segments, value);
            reply = new Reply(HttpStatusCode.OK, JsonTree.Serialize(value), WantsETag(request) || ifMatch is not null ? JsonTree.ETag(value) : null);
        }

        store.NotifyChanged();
        return reply;
    }

    private Reply Post(DatabaseNamespace database, string[] segments, JsonNode? body)
    {
        var id = pushIds.Next();
        lock (database.Sync)
        {
            var value = JsonTree.Normalize(body, null, time.GetUtcNow().ToUnixTimeMilliseconds());
            database.Root = JsonTree.SetAt(database.Root, [.. segments, id], value);
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes($"{{\"name\":\"{id}\"}}"));
    }

    private Reply Patch(DatabaseNamespace database, string[] segments, JsonNode? body)
    {
        if (body is not JsonObject updates)
        {
            throw RtdbException.BadData("Invalid data; couldn't parse JSON object. PATCH needs an object of children to update.");
        }

        var paths = new List<(string Key, string[] Path, JsonNode? Value)>(updates.Count);
        foreach (var (key, value) in updates)
        {
            var relative = key.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (relative.Length == 0 || !relative.All(Keys.IsValid))
            {
                throw RtdbException.BadData($"Invalid data; couldn't parse key beginning at \"{key}\".");
            }

            paths.Add((key, relative, value));
        }

        foreach (var a in paths)
        {
            foreach (var b in paths)
            {
                if (!ReferenceEquals(a.Key, b.Key) && a.Path.Length < b.Path.Length && b.Path.AsSpan(0, a.Path.Length).SequenceEqual(a.Path))
                {
                    throw RtdbException.BadData($"Invalid data; path /{a.Key} is an ancestor of /{b.Key} in the same update.");
                }
            }
        }

        var written = new JsonObject();
        lock (database.Sync)
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var normalized = paths
                .Select(p => (p.Key, Path: (string[])[.. segments, .. p.Path], Value: JsonTree.Normalize(p.Value, JsonTree.GetAt(database.Root, [.. segments, .. p.Path]), now)))
                .ToList();
            foreach (var (key, path, value) in normalized)
            {
                database.Root = JsonTree.SetAt(database.Root, path, value);
                written[key] = value?.DeepClone();
            }
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, JsonTree.Serialize(written));
    }

    private Reply Delete(HttpRequest request, DatabaseNamespace database, string[] segments)
    {
        var ifMatch = IfMatch(request);
        lock (database.Sync)
        {
            var existing = JsonTree.GetAt(database.Root, segments);
            if (ifMatch is not null && PreconditionFails(existing, ifMatch) is { } failed)
            {
                return failed;
            }

            database.Root = JsonTree.SetAt(database.Root, segments, null);
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, NullBody, WantsETag(request) || ifMatch is not null ? JsonTree.NullETag : null);
    }

    private static Reply? PreconditionFails(JsonNode? existing, string ifMatch)
    {
        var current = JsonTree.ETag(existing);
        return current == ifMatch ? null : new Reply(HttpStatusCode.PreconditionFailed, JsonTree.Serialize(existing), current, Silenceable: false);
    }

    private static string? IfMatch(HttpRequest request) =>
        request.Headers[HeaderNames.IfMatch] is { Count: > 0 } value ? value.ToString().Trim().Trim('"') : null;

    private static bool WantsETag(HttpRequest request) =>
        string.Equals(request.Headers["X-Firebase-ETag"].ToString(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>/a/b.json</c> → [a, b]; RTDB refuses paths without <c>.json</c> or with forbidden characters.</summary>
    internal static string[] ParsePath(string path)
    {
        if (!path.EndsWith(".json", StringComparison.Ordinal))
        {
            throw new RtdbException(HttpStatusCode.NotFound, "Not found. Realtime Database REST paths end in .json.");
        }

        var segments = path[..^".json".Length].Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments)
        {
            if (!Keys.IsValid(segment))
            {
                throw new RtdbException(HttpStatusCode.BadRequest, "Invalid path: Invalid token in path");
            }
        }

        return segments;
    }

    private async Task<JsonNode?> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > options.MaxRequestBytes)
        {
            throw new RtdbException(HttpStatusCode.RequestEntityTooLarge, "Payload too large.");
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, 1 << 20) + 1);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > options.MaxRequestBytes)
            {
                throw new RtdbException(HttpStatusCode.RequestEntityTooLarge, "Payload too large.");
            }
        }

        try
        {
            if (buffer.WrittenCount == 0)
            {
                throw RtdbException.BadData();
            }

            return JsonNode.Parse(buffer.WrittenSpan, documentOptions: ParseOptions);
        }
        catch (JsonException)
        {
            throw RtdbException.BadData();
        }
    }

    private static Reply Error(HttpStatusCode status, string message)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        return new Reply(status, buffer.WrittenSpan.ToArray(), Silenceable: false);
    }

    private static Task WriteAsync(HttpContext context, Reply reply)
    {
        var response = context.Response;
        var silent = reply.Silenceable && reply.Status == HttpStatusCode.OK && context.Request.Query["print"] == "silent";
        response.StatusCode = silent ? StatusCodes.Status204NoContent : (int)reply.Status;
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        if (reply.ETag is not null)
        {
            response.Headers.ETag = reply.ETag;
        }

        if (silent)
        {
            return Task.CompletedTask;
        }

        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = reply.Body.Length;
        return response.Body.WriteAsync(reply.Body, context.RequestAborted).AsTask();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Method} {Path} ns={Namespace} -> {Status} in {ElapsedMs:0.00} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, string @namespace, int status, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected failure serving {Method} {Path}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path);
}
