using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Http.Streaming;

/// <summary>
/// One server-sent event of the Realtime Database's streaming REST protocol, as its text on the wire
/// (<c>event: put</c> / <c>data: {"path":"/a","data":...}</c>), and <see cref="Final"/> when the stream ends after it.
/// </summary>
internal readonly record struct StreamEvent(byte[] Text, bool Final = false)
{
    /// <summary>Sent every <c>Streaming:KeepAliveSeconds</c> while nothing changes, so that proxies keep the stream open.</summary>
    public static readonly StreamEvent KeepAlive = Named("keep-alive", "null");

    /// <summary>The listener may no longer read the location (the rules, judged again after a write, say no).</summary>
    public static readonly StreamEvent PermissionDenied = Named("cancel", "\"Permission denied\"", final: true);

    /// <summary>The credential the stream was opened with has expired: the client must reconnect with a fresh one.</summary>
    public static readonly StreamEvent AuthRevoked = Named("auth_revoked", "\"credential is no longer valid\"", final: true);

    /// <summary>The value at <paramref name="path"/> (relative to the listened location, "/" for all of it) is now <paramref name="data"/>.</summary>
    public static StreamEvent Put(ReadOnlySpan<string> path, JsonNode? data) => PathAndData("put", path, data);

    /// <summary>The children of <paramref name="data"/> were written under <paramref name="path"/>, the rest left as it was.</summary>
    public static StreamEvent Patch(ReadOnlySpan<string> path, JsonNode? data) => PathAndData("patch", path, data);

    private static StreamEvent PathAndData(string name, ReadOnlySpan<string> path, JsonNode? data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("path", "/" + string.Join('/', path.ToArray()));
            writer.WritePropertyName("data");
            JsonTree.Write(writer, data);
            writer.WriteEndObject();
        }

        return Named(name, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // Compact JSON never holds a line break (strings escape them), so the data is one "data:" line.
    private static StreamEvent Named(string name, string data, bool final = false) =>
        new(Encoding.UTF8.GetBytes($"event: {name}\ndata: {data}\n\n"), final);
}
