using System.Text.Json.Nodes;

namespace AuthApp.Domain.Users;

/// <summary>
/// What a user's <c>venues</c> subtree means, for the API and the worker alike: which children are devices,
/// what clients are shown, and the original's "first venue's faults" rule. Devices and sensors write here directly,
/// so everything is read through <see cref="JsonShapes"/>: a child that cannot be understood is left out, never a failure.
/// </summary>
public static class VenueData
{
    /// <summary>The longest device state read as one (the product's are <c>on</c>, <c>off</c>, <c>1</c>..<c>5</c>).</summary>
    public const int MaxStateLength = 64;

    /// <summary>The longest fault text read (the rules refuse longer ones from devices); a longer one is no fault.</summary>
    public const int MaxFaultsLength = 1000;

    /// <summary>
    /// The venues as clients see them: every venue an object of its devices' states and its <c>faults</c>
    /// text, in the database's key order; the <c>__created</c> marker, and anything that is not a venue
    /// object or a readable value inside one, left out.
    /// </summary>
    public static JsonObject ForClients(JsonNode? venues)
    {
        var result = new JsonObject();
        foreach (var (name, node) in Ordered(venues))
        {
            if (node is not (JsonObject or JsonArray) || JsonShapes.AsObject(node) is not { } venue)
            {
                continue;
            }

            var shown = new JsonObject();
            foreach (var (child, value) in venue.OrderBy(child => child.Key, JsonShapes.KeyOrder))
            {
                var limit = child == VenueFields.Faults ? MaxFaultsLength : MaxStateLength;
                if (child != VenueFields.Created && JsonShapes.Text(value, limit).HasValue)
                {
                    shown[child] = value!.DeepClone();
                }
            }

            result[name] = shown;
        }

        return result;
    }

    /// <summary>The venue's devices and their states (as text); reserved children and unreadable values left out.</summary>
    public static IReadOnlyDictionary<string, string> Devices(JsonNode? venue)
    {
        var devices = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in JsonShapes.AsObject(venue) ?? [])
        {
            if (State(name, value) is { } state)
            {
                devices[name] = state;
            }
        }

        return devices;
    }

    /// <summary>The state of the venue's child <paramref name="name"/> holding <paramref name="value"/>, or null when that child is no device.</summary>
    public static string? State(string name, JsonNode? value) =>
        !VenueFields.IsReserved(name) && JsonShapes.Text(value, MaxStateLength) is { HasValue: true, Value: { } state } ? state : null;

    /// <summary>The names of the venues (objects only), in the database's key order.</summary>
    public static IEnumerable<string> NamesOf(JsonNode? venues) =>
        Ordered(venues).Where(venue => venue.Value is JsonObject or JsonArray).Select(venue => venue.Key);

    /// <summary>
    /// The first venue in the database's key order: the first child that is an object (a full read) or <c>true</c>
    /// (a shallow read, where objects read as <c>true</c>; a venue stored as the bare value <c>true</c> is no venue
    /// and has no faults either way). Null when there is none.
    /// </summary>
    public static string? FirstVenueName(JsonNode? venues) =>
        Ordered(venues).FirstOrDefault(venue => venue.Value is JsonObject or JsonArray || JsonShapes.IsTrue(venue.Value)).Key;

    /// <summary>
    /// The original's rule, the only copy of it: the <c>faults</c> text of the first venue (in the database's key
    /// order), trimmed; "" when that venue has none. What is there but is not text of at most
    /// <see cref="MaxFaultsLength"/> characters is the problem returned.
    /// </summary>
    public static StoredValue<string> FirstVenueFaults(JsonNode? venues) =>
        FirstVenueName(venues) is { } first ? Faults(JsonShapes.AsObject(JsonShapes.AsObject(venues)?[first])?[VenueFields.Faults]) : StoredValue<string>.Of("");

    /// <summary>A venue's stored <c>faults</c> value, read as <see cref="FirstVenueFaults"/> reads it.</summary>
    public static StoredValue<string> Faults(JsonNode? faults)
    {
        if (faults is null)
        {
            return StoredValue<string>.Of("");
        }

        var text = faults is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? JsonShapes.Text(faults, MaxFaultsLength)
            : StoredValue<string>.Invalid("not text");
        return text.HasValue ? StoredValue<string>.Of(text.Value!.Trim()) : text;
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Ordered(JsonNode? venues) =>
        (JsonShapes.AsObject(venues) ?? []).OrderBy(venue => venue.Key, JsonShapes.KeyOrder);
}
