using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Http;

/// <summary>Reads request bodies within <see cref="EmulatorOptions.MaxRequestBytes"/> (larger → 413).</summary>
internal static class RequestBody
{
    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 256 };

    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpContext context, long maxBytes)
    {
        var request = context.Request;
        if (request.ContentLength > maxBytes)
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
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
            {
                throw new RtdbException(HttpStatusCode.RequestEntityTooLarge, "Payload too large.");
            }
        }
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpContext context, long maxBytes)
    {
        var body = await ReadAsync(context, maxBytes);
        try
        {
            if (body.Length == 0)
            {
                throw RtdbException.BadData();
            }

            var node = JsonNode.Parse(body.Span, documentOptions: ParseOptions);
            RequireText(node);
            return node;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw RtdbException.BadData();
        }
    }

    /// <summary>
    /// The parser accepts strings that are not text (invalid UTF-8, a lone surrogate escape such as <c>"\ud800"</c>)
    /// and only fails when they are read; reading every key and string here turns them into a 400, not a later 500.
    /// </summary>
    private static void RequireText(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    RequireText(child);
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    RequireText(item);
                }

                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
        }
    }
}
