using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>
/// The stored form of Realtime Database data and the operations on it. Stored trees hold only
/// <see cref="JsonObject"/>s with at least one child, strings, numbers (long or double) and booleans:
/// nulls and empty objects vanish and arrays become objects keyed "0", "1", ...
/// On the way out, objects whose keys look like a mostly-filled array become arrays again.
/// </summary>
internal static class JsonTree
{
    public const string NullETag = "null_etag";
    public const int MaxDepth = 32;

    /// <summary>
    /// Turns written JSON into its stored form: resolves <c>{".sv": ...}</c> placeholders (using
    /// <paramref name="existing"/>, the value at the same location, for increments), applies
    /// <c>.value</c>, drops <c>.priority</c>, and validates keys.
    /// </summary>
    public static JsonNode? Normalize(JsonNode? input, JsonNode? existing, long nowMs, int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw RtdbException.BadData($"Invalid data; data is nested deeper than {MaxDepth} levels.");
        }

        switch (input)
        {
            case null:
                return null;
            case JsonValue value:
                return NormalizeLeaf(value);
            case JsonArray array:
            {
                var result = new JsonObject();
                for (var i = 0; i < array.Count; i++)
                {
                    var key = i.ToString(CultureInfo.InvariantCulture);
                    var child = Normalize(array[i], (existing as JsonObject)?[key], nowMs, depth + 1);
                    if (child is not null)
                    {
                        result[key] = child;
                    }
                }

                return result.Count == 0 ? null : result;
            }

            case JsonObject obj:
            {
                if (obj.TryGetPropertyValue(".sv", out var serverValue))
                {
                    return ResolveServerValue(serverValue, existing, nowMs);
                }

                if (obj.TryGetPropertyValue(".value", out var inner))
                {
                    return Normalize(inner, existing, nowMs, depth);
                }

                var result = new JsonObject();
                foreach (var (key, childInput) in obj)
                {
                    if (key == ".priority")
                    {
                        continue;
                    }

                    if (!Keys.IsValid(key))
                    {
                        throw RtdbException.BadData($"Invalid data; couldn't parse key beginning at \"{Shorten(key)}\". Keys can't be empty, longer than 768 bytes, or contain $ # [ ] / . or ASCII control characters.");
                    }

                    var child = Normalize(childInput, (existing as JsonObject)?[key], nowMs, depth + 1);
                    if (child is not null)
                    {
                        result[key] = child;
                    }
                }

                return result.Count == 0 ? null : result;
            }

            default:
                throw RtdbException.BadData();
        }
    }

    private static JsonNode? NormalizeLeaf(JsonValue value)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return JsonValue.Create(value.GetValue<string>());
            case JsonValueKind.True:
                return JsonValue.Create(true);
            case JsonValueKind.False:
                return JsonValue.Create(false);
            case JsonValueKind.Number:
                var number = AsDouble(value);
                return double.IsFinite(number) ? Number(number) : throw RtdbException.BadData("Invalid data; a number is out of range.");
            case JsonValueKind.Null:
                return null;
            default:
                throw RtdbException.BadData();
        }
    }

    /// <summary>A number leaf as a double, whatever CLR type backs it (a parsed element, a long, a double).</summary>
    public static double AsDouble(JsonNode node)
    {
        var value = (JsonValue)node;
        if (value.TryGetValue<long>(out var l))
        {
            return l;
        }

        if (value.TryGetValue<double>(out var d))
        {
            return d;
        }

        return value.TryGetValue<JsonElement>(out var e) ? e.GetDouble() : value.GetValue<double>();
    }

    private static JsonValue Number(double number) =>
        Math.Abs(number) < 9007199254740992d && number == Math.Floor(number)
            ? JsonValue.Create((long)number)
            : JsonValue.Create(number);

    private static JsonNode ResolveServerValue(JsonNode? serverValue, JsonNode? existing, long nowMs)
    {
        if (serverValue is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "timestamp")
        {
            return JsonValue.Create(nowMs);
        }

        if (serverValue is JsonObject { Count: 1 } op && op["increment"] is JsonValue delta && delta.GetValueKind() == JsonValueKind.Number)
        {
            var start = existing is JsonValue current && current.GetValueKind() == JsonValueKind.Number ? AsDouble(current) : 0d;
            return Number(start + AsDouble(delta));
        }

        throw RtdbException.BadData("Invalid data; unknown server value (.sv).");
    }

    public static JsonNode? GetAt(JsonNode? root, ReadOnlySpan<string> segments)
    {
        var node = root;
        foreach (var segment in segments)
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(segment, out node))
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>Returns the new root after writing <paramref name="value"/> (already normalized) at the path; null deletes and prunes empty parents.</summary>
    public static JsonNode? SetAt(JsonNode? node, ReadOnlySpan<string> segments, JsonNode? value)
    {
        if (segments.Length == 0)
        {
            return value;
        }

        var obj = node as JsonObject;
        if (obj is null)
        {
            if (value is null)
            {
                return node;
            }

            obj = new JsonObject();
        }

        // The child is changed in place and re-attached only when it is replaced: removing a key from a
        // JsonObject is linear in its size (~2 ms under a "users" of 100,000), and every write goes through it.
        obj.TryGetPropertyValue(segments[0], out var child);
        var updated = SetAt(child, segments[1..], value);
        if (updated is null)
        {
            obj.Remove(segments[0]);
        }
        else if (!ReferenceEquals(updated, child))
        {
            obj[segments[0]] = updated;
        }

        return obj.Count == 0 ? null : obj;
    }

    public static byte[] Serialize(JsonNode? node, bool shallow = false, bool pretty = false)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty, SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, node, shallow);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>SHA-1 of the canonical JSON, base64; the well-known <c>null_etag</c> for no data.</summary>
    public static string ETag(JsonNode? node) =>
        node is null ? NullETag : Convert.ToBase64String(SHA1.HashData(Serialize(node)));

    public static void Write(Utf8JsonWriter writer, JsonNode? node, bool shallow = false)
    {
        switch (node)
        {
            case null:
                writer.WriteNullValue();
                break;
            case JsonValue value:
                value.WriteTo(writer);
                break;
            case JsonObject obj when shallow:
                writer.WriteStartObject();
                foreach (var key in SortedKeys(obj))
                {
                    writer.WritePropertyName(key);
                    if (obj[key] is JsonObject)
                    {
                        writer.WriteBooleanValue(true);
                    }
                    else
                    {
                        Write(writer, obj[key]);
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonObject obj when LooksLikeArray(obj, out var length):
                writer.WriteStartArray();
                for (var i = 0; i < length; i++)
                {
                    Write(writer, obj[i.ToString(CultureInfo.InvariantCulture)]);
                }

                writer.WriteEndArray();
                break;
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var key in SortedKeys(obj))
                {
                    writer.WritePropertyName(key);
                    Write(writer, obj[key]);
                }

                writer.WriteEndObject();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static string[] SortedKeys(JsonObject obj)
    {
        var keys = new string[obj.Count];
        var i = 0;
        foreach (var pair in obj)
        {
            keys[i++] = pair.Key;
        }

        Array.Sort(keys, Keys.Order);
        return keys;
    }

    /// <summary>The Realtime Database's array heuristic: every key a non-negative integer, and more than half of 0..max filled.</summary>
    private static bool LooksLikeArray(JsonObject obj, out int length)
    {
        var max = -1;
        foreach (var pair in obj)
        {
            if (!Keys.TryInt(pair.Key, out var index) || index < 0)
            {
                length = 0;
                return false;
            }

            max = Math.Max(max, index);
        }

        length = max + 1;
        return obj.Count * 2 > length;
    }

    private static string Shorten(string key) => key.Length > 40 ? key[..40] : key;
}
