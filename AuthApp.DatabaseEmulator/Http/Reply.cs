using System.Buffers;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AuthApp.DatabaseEmulator.Http;

/// <summary>A response: status, JSON body, optional ETag; <see cref="Silenceable"/> replies become 204 under <c>print=silent</c>.</summary>
internal readonly record struct Reply(HttpStatusCode Status, byte[] Body, string? ETag = null, bool Silenceable = true)
{
    public static readonly byte[] NullBody = "null"u8.ToArray();

    /// <summary>RTDB's error shape: <c>{"error": message}</c>.</summary>
    public static Reply Error(HttpStatusCode status, string message) =>
        new(status, Json(writer => writer.WriteString("error", message)), Silenceable: false);

    public static byte[] Json(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        var silent = Silenceable && Status == HttpStatusCode.OK && context.Request.Query["print"] == "silent";
        response.StatusCode = silent ? StatusCodes.Status204NoContent : (int)Status;
        response.Headers.CacheControl = "no-cache";
        response.Headers.AccessControlAllowOrigin = "*";
        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (silent)
        {
            return Task.CompletedTask;
        }

        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = Body.Length;
        return response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
    }
}
