using System.Text.Json.Nodes;

namespace AuthApp.Domain.Users;

/// <summary>
/// Reading what the database returns, whoever wrote it. The Realtime Database returns an object whose keys
/// are mostly small integers (<c>"0"</c>, <c>"1"</c>) as a JSON array, with nulls for the gaps: a venue named
/// <c>"0"</c> would vanish from code that expects an object. Every read of a keyed collection goes through
/// <see cref="AsObject"/>.
/// </summary>
public static class JsonShapes
{
    /// <summary>
    /// The node as an object: an object as it is, an array as the object it stood for (index keys, gaps left
    /// out), anything else (a value, null) as null.
    /// </summary>
    public static JsonObject? AsObject(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                return obj;
            case JsonArray array:
                var result = new JsonObject();
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        result[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = item.DeepClone();
                    }
                }

                return result;
            default:
                return null;
        }
    }

    /// <summary>
    /// The node as text when it is a JSON string, number or boolean; null otherwise. Never throws: a string the
    /// database holds with a lone surrogate (<c>"\ud800"</c>, which JSON allows and UTF-16 text cannot hold) makes
    /// <see cref="JsonValue.ToString"/> throw <see cref="InvalidOperationException"/>; it reads as null, as a value of
    /// the wrong kind does.
    /// </summary>
    public static string? Text(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        try
        {
            return value.ToString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The node as a whole number when it is one; null otherwise. Never throws.</summary>
    public static long? Integer(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue(out long number) ? number
        : node is JsonValue real && real.TryGetValue(out double fractional) && fractional is >= long.MinValue and <= long.MaxValue ? (long)fractional
        : null;

    /// <summary>True only for the JSON literal <c>true</c>.</summary>
    public static bool IsTrue(JsonNode? node) => node is JsonValue value && value.TryGetValue(out bool flag) && flag;

    /// <summary>
    /// The Realtime Database's order of keys: keys that read as 32-bit integers first, by value, then the
    /// others as strings. "The first venue" means first in this order, as the original read it.
    /// </summary>
    public static readonly IComparer<string> KeyOrder = Comparer<string>.Create(static (left, right) =>
    {
        var leftIsInt = int.TryParse(left, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var l)
            && l.ToString(System.Globalization.CultureInfo.InvariantCulture) == left;
        var rightIsInt = int.TryParse(right, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var r)
            && r.ToString(System.Globalization.CultureInfo.InvariantCulture) == right;
        return (leftIsInt, rightIsInt) switch
        {
            (true, true) => l.CompareTo(r),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(left, right),
        };
    });
}
