using System.Globalization;
using System.Text.Json.Nodes;

namespace AuthApp.Domain.Users;

/// <summary>
/// The one reader of what the database holds. Clients and devices write their own part of it directly, so every
/// byte is hostile: a field may hold any JSON type, a number out of any range, a string of megabytes, an array where
/// an object belongs, null, or (from a misbehaving server) duplicate keys and lone surrogates. Every method here is
/// total: it returns a value or says why there is none, and never throws on content. Domain values
/// (<see cref="Schedules.ScheduleDefinition"/>, <see cref="VenueData"/>, the profile) are made only through it, so a
/// field added later is read as safely as the first ones.
/// <para>
/// The Realtime Database also returns an object whose keys are mostly small integers (<c>"0"</c>, <c>"1"</c>) as a
/// JSON array, with nulls for the gaps: a venue named <c>"0"</c> would vanish from code that expects an object. Every
/// read of a keyed collection goes through <see cref="AsObject"/>.
/// </para>
/// </summary>
public static class JsonShapes
{
    /// <summary>
    /// The node as an object: an object as it is, an array as the object it stood for (index keys, gaps left
    /// out), anything else (a value, null, an object whose keys repeat) as null.
    /// </summary>
    public static JsonObject? AsObject(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                try
                {
                    // A parsed object builds its dictionary on first use, and a repeated key throws there.
                    _ = obj.Count;
                    return obj;
                }
                catch (ArgumentException)
                {
                    return null;
                }

            case JsonArray array:
                var result = new JsonObject();
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        result[i.ToString(CultureInfo.InvariantCulture)] = item.DeepClone();
                    }
                }

                return result;
            default:
                return null;
        }
    }

    /// <summary>The node as text when it is a JSON string, number or boolean; null otherwise.</summary>
    public static string? Text(JsonNode? node) => Text(node, int.MaxValue).Value;

    /// <summary>
    /// The node as text of at most <paramref name="maxLength"/> characters: a JSON string, or the literal text of a
    /// number or boolean (clients write <c>3</c> for <c>"3"</c>). Absent for null; a problem for anything else.
    /// </summary>
    public static StoredValue<string> Text(JsonNode? node, int maxLength)
    {
        if (node is null)
        {
            return StoredValue<string>.Absent;
        }

        if (node is not JsonValue value)
        {
            return StoredValue<string>.Invalid(node is JsonArray ? "a list, not text" : "an object, not text");
        }

        string text;
        try
        {
            text = value.ToString();
        }
        catch (InvalidOperationException)
        {
            // A lone surrogate or invalid UTF-8 inside a string: not text at all.
            return StoredValue<string>.Invalid("not valid text");
        }

        return text.Length <= maxLength
            ? StoredValue<string>.Of(text)
            : StoredValue<string>.Invalid($"longer than {maxLength} characters");
    }

    /// <summary>The node as a whole number when it is one; null otherwise.</summary>
    public static long? Integer(JsonNode? node) => Integer(node, long.MinValue, long.MaxValue) is { HasValue: true } read ? read.Value : null;

    /// <summary>
    /// The node as a whole number in [<paramref name="min"/>, <paramref name="max"/>] (a JSON number without a
    /// fraction; <c>1e3</c> counts). Absent for null; a problem for other types, fractions and values out of range.
    /// </summary>
    public static StoredValue<long> Integer(JsonNode? node, long min, long max)
    {
        if (node is null)
        {
            return StoredValue<long>.Absent;
        }

        if (node is not JsonValue value || !TryNumber(value, out var number))
        {
            return StoredValue<long>.Invalid("not a number");
        }

        // Doubles beyond ±2^63 cannot be cast; 9.2e18 stays well inside and above any bound the product uses.
        if (double.IsNaN(number) || number != Math.Floor(number) || number < -9.2e18 || number > 9.2e18)
        {
            return StoredValue<long>.Invalid("not a whole number in range");
        }

        var whole = (long)number;
        return whole >= min && whole <= max
            ? StoredValue<long>.Of(whole)
            : StoredValue<long>.Invalid($"outside {min}..{max}");
    }

    /// <summary>
    /// An instant stored as epoch seconds, as the server writes <c>lastNotified</c> and <c>lastFaultNotification</c>:
    /// a whole number from 0 up to <paramref name="latest"/> (a value in milliseconds, or far in the future, is a
    /// problem, not an instant <see cref="DateTimeOffset"/> would refuse to hold).
    /// </summary>
    public static StoredValue<DateTimeOffset> UnixSeconds(JsonNode? node, DateTimeOffset latest)
    {
        var seconds = Integer(node, 0, latest.ToUnixTimeSeconds());
        return seconds.HasValue ? StoredValue<DateTimeOffset>.Of(DateTimeOffset.FromUnixTimeSeconds(seconds.Value))
            : seconds.Problem is { } problem ? StoredValue<DateTimeOffset>.Invalid(
                problem.StartsWith("outside", StringComparison.Ordinal) ? $"not epoch seconds up to {latest:u}" : problem)
            : StoredValue<DateTimeOffset>.Absent;
    }

    /// <summary>True only for the JSON literal <c>true</c>.</summary>
    public static bool IsTrue(JsonNode? node)
    {
        try
        {
            return node is JsonValue value && value.TryGetValue(out bool flag) && flag;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The Realtime Database's order of keys: keys that read as 32-bit integers first, by value, then the
    /// others as strings. "The first venue" means first in this order, as the original read it.
    /// </summary>
    public static readonly IComparer<string> KeyOrder = Comparer<string>.Create(static (left, right) =>
    {
        var leftIsInt = int.TryParse(left, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
            && l.ToString(CultureInfo.InvariantCulture) == left;
        var rightIsInt = int.TryParse(right, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var r)
            && r.ToString(CultureInfo.InvariantCulture) == right;
        return (leftIsInt, rightIsInt) switch
        {
            (true, true) => l.CompareTo(r),
            (true, false) => -1,
            (false, true) => 1,
            _ => string.CompareOrdinal(left, right),
        };
    });

    private static bool TryNumber(JsonValue value, out double number)
    {
        number = 0;
        try
        {
            if (value.TryGetValue(out long whole))
            {
                number = whole;
                return true;
            }

            return value.TryGetValue(out number) && double.IsFinite(number);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>
/// What <see cref="JsonShapes"/> read from one stored field: a value, nothing (the field is absent), or the reason
/// the value there cannot be understood.
/// </summary>
public readonly record struct StoredValue<T>
{
    private StoredValue(bool hasValue, T? value, string? problem) => (HasValue, Value, Problem) = (hasValue, value, problem);

    public static StoredValue<T> Absent => default;

    /// <summary>True when the field held a value of the expected kind; <see cref="Value"/> is then set.</summary>
    public bool HasValue { get; }

    public T? Value { get; }

    /// <summary>Why the value there cannot be used (null when it is fine or absent). Never quotes the value.</summary>
    public string? Problem { get; }

    public static StoredValue<T> Of(T value) => new(true, value, null);

    public static StoredValue<T> Invalid(string problem) => new(false, default, problem);

    /// <summary>The value, or <paramref name="fallback"/> when absent or unreadable.</summary>
    public T? Or(T? fallback) => HasValue ? Value : fallback;
}

/// <summary>
/// One stored field that could not be understood, for that entry's one Warning: where it is in the user's record
/// (<c>schedules/{venue}/{device}/lastNotified</c>) and why. It never carries the value itself.
/// </summary>
public sealed record DataProblem(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}
