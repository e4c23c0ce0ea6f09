using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Auth;
using AuthApp.DatabaseEmulator.Http.Streaming;
using AuthApp.DatabaseEmulator.Rules;
using AuthApp.DatabaseEmulator.Rules.Access;
using AuthApp.DatabaseEmulator.Tree;
using Microsoft.Net.Http.Headers;

namespace AuthApp.DatabaseEmulator.Http;

/// <summary>
/// Serves the Realtime Database REST protocol: <c>/{path}.json</c> with GET, PUT, POST, PATCH and DELETE,
/// <c>?ns=</c>, queries, <c>shallow</c>, <c>print=silent|pretty</c>, <c>X-Firebase-ETag</c> and <c>if-match</c>,
/// plus <c>/.settings/rules.json</c>. In a namespace with rules every read and write is judged by them
/// (<see cref="RequestAccess"/>) before anything is served or written; without rules every request acts as the owner.
/// A <c>GET</c> with <c>Accept: text/event-stream</c> streams the location instead (<see cref="EventStreams"/>).
/// </summary>
internal sealed partial class RestHandler(
    DatabaseStore store,
    RulesRegistry rules,
    RulesSettingsEndpoint settings,
    IdTokenCache tokens,
    PushIds pushIds,
    EventStreams streams,
    TimeProvider time,
    EmulatorOptions options,
    ILogger<RestHandler> logger)
{
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
            if (request.Path.Equals(RulesSettingsEndpoint.Path, StringComparison.Ordinal))
            {
                reply = await settings.HandleAsync(context, method, ns);
            }
            else
            {
                var segments = ParsePath(request.Path.Value ?? "/");
                var database = store.Get(ns);
                var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                var access = RequestAccess.For(rules.For(ns), request, tokens, nowMs);
                if (method == "GET" && EventStreams.IsRequested(request))
                {
                    await streams.ServeAsync(context, database, segments, access);
                    LogRequest(logger, method, request.Path.Value ?? "/", ns, StatusCodes.Status200OK, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return;
                }

                reply = method switch
                {
                    "GET" => Get(request, database, segments, access),
                    "PUT" => Put(request, database, segments, access, nowMs, await RequestBody.ReadJsonAsync(context, options.MaxRequestBytes)),
                    "POST" => Post(database, segments, access, nowMs, await RequestBody.ReadJsonAsync(context, options.MaxRequestBytes)),
                    "PATCH" => Patch(database, segments, access, nowMs, await RequestBody.ReadJsonAsync(context, options.MaxRequestBytes)),
                    "DELETE" => Delete(request, database, segments, access),
                    _ => throw new RtdbException(HttpStatusCode.MethodNotAllowed, "Method not allowed."),
                };
            }
        }
        catch (RtdbException ex)
        {
            if (ex.LogDetail is { } detail)
            {
                LogRefused(logger, method, request.Path.Value ?? "/", ns, (int)ex.Status, detail);
            }

            reply = Reply.Error(ex.Status, ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            reply = Reply.Error(HttpStatusCode.RequestEntityTooLarge, "Payload too large.");
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogFailure(logger, ex, method, request.Path.Value ?? "/");
            reply = Reply.Error(HttpStatusCode.InternalServerError, "Internal error.");
        }

        await reply.WriteAsync(context);
        LogRequest(logger, method, request.Path.Value ?? "/", ns, (int)reply.Status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static Reply Get(HttpRequest request, DatabaseNamespace database, string[] segments, RequestAccess access)
    {
        var query = Query.Parse(request.Query);
        var shallow = request.Query["shallow"] == "true";
        if (shallow && query is not null)
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "Mixing 'shallow' and querying parameters is not supported");
        }

        var pretty = request.Query["print"] == "pretty";
        lock (database.Sync)
        {
            // Rules are not filters: a query or a shallow read needs the same grant as reading the whole location.
            access.RequireRead(database.Root, segments);
            if (query is not null)
            {
                access.Rules?.RequireIndex(segments, query);
            }

            var node = JsonTree.GetAt(database.Root, segments);
            var etag = WantsETag(request) ? JsonTree.ETag(node) : null;
            var body = query is null ? JsonTree.Serialize(node, shallow, pretty) : JsonTree.Serialize(query.Apply(node), pretty: pretty);
            return new Reply(HttpStatusCode.OK, body, etag);
        }
    }

    private Reply Put(HttpRequest request, DatabaseNamespace database, string[] segments, RequestAccess access, long nowMs, JsonNode? body)
    {
        var ifMatch = IfMatch(request);
        Reply reply;
        lock (database.Sync)
        {
            var existing = JsonTree.GetAt(database.Root, segments);
            var value = JsonTree.Normalize(body, existing, nowMs);
            access.RequireWrite(database.Root, [new PendingWrite(segments, value)]);
            if (ifMatch is not null && PreconditionFails(database, segments, existing, ifMatch, access) is { } failed)
            {
                return failed;
            }

            database.Root = JsonTree.SetAt(database.Root, segments, value);
            database.Publish([new Change(segments, value)]);
            reply = new Reply(HttpStatusCode.OK, JsonTree.Serialize(value), WantsETag(request) || ifMatch is not null ? JsonTree.ETag(value) : null);
        }

        store.NotifyChanged();
        return reply;
    }

    private Reply Post(DatabaseNamespace database, string[] segments, RequestAccess access, long nowMs, JsonNode? body)
    {
        var id = pushIds.Next();
        string[] path = [.. segments, id];
        lock (database.Sync)
        {
            var value = JsonTree.Normalize(body, null, nowMs);
            access.RequireWrite(database.Root, [new PendingWrite(path, value)]);
            database.Root = JsonTree.SetAt(database.Root, path, value);
            database.Publish([new Change(path, value)]);
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, Encoding.UTF8.GetBytes($"{{\"name\":\"{id}\"}}"));
    }

    private Reply Patch(DatabaseNamespace database, string[] segments, RequestAccess access, long nowMs, JsonNode? body)
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

            paths.Add((key, [.. segments, .. relative], value));
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
            var writes = paths.ConvertAll(p => new PendingWrite(p.Path, JsonTree.Normalize(p.Value, JsonTree.GetAt(database.Root, p.Path), nowMs)));

            // One judgement for the whole update: every path passes or nothing is written.
            access.RequireWrite(database.Root, writes);
            for (var i = 0; i < writes.Count; i++)
            {
                database.Root = JsonTree.SetAt(database.Root, writes[i].Path, writes[i].Value);
                written[paths[i].Key] = writes[i].Value?.DeepClone();
            }

            database.Publish([new Change(segments, written, Merge: true)]);
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, JsonTree.Serialize(written));
    }

    private Reply Delete(HttpRequest request, DatabaseNamespace database, string[] segments, RequestAccess access)
    {
        var ifMatch = IfMatch(request);
        lock (database.Sync)
        {
            var existing = JsonTree.GetAt(database.Root, segments);
            access.RequireWrite(database.Root, [new PendingWrite(segments, null)]);
            if (ifMatch is not null && PreconditionFails(database, segments, existing, ifMatch, access) is { } failed)
            {
                return failed;
            }

            database.Root = JsonTree.SetAt(database.Root, segments, null);
            database.Publish([new Change(segments, null)]);
        }

        store.NotifyChanged();
        return new Reply(HttpStatusCode.OK, Reply.NullBody, WantsETag(request) || ifMatch is not null ? JsonTree.NullETag : null);
    }

    /// <summary>
    /// 412 with the current value and its ETag. The value is data: a caller allowed to write but not to read the
    /// location gets 401 instead (the stricter reading; the docs do not say).
    /// </summary>
    private static Reply? PreconditionFails(DatabaseNamespace database, string[] segments, JsonNode? existing, string ifMatch, RequestAccess access)
    {
        var current = JsonTree.ETag(existing);
        if (current == ifMatch)
        {
            return null;
        }

        access.RequireRead(database.Root, segments);
        return new Reply(HttpStatusCode.PreconditionFailed, JsonTree.Serialize(existing), current, Silenceable: false);
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

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Method} {Path} ns={Namespace} -> {Status} in {ElapsedMs:0.00} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, string @namespace, int status, double elapsedMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected failure serving {Method} {Path}")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Method} {Path} ns={Namespace} refused with {Status}: {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, string path, string @namespace, int status, string detail);
}
