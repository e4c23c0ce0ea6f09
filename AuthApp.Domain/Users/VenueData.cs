using System.Text.Json.Nodes;

namespace AuthApp.Domain.Users;

/// <summary>
/// What a user's <c>venues</c> subtree means, for the API and the worker alike: which children are devices,
/// what clients are shown, and the original's "first venue's faults" rule.
/// </summary>
public static class VenueData
{
    /// <summary>
    /// The venues as clients see them: every venue an object of its devices' states and its <c>faults</c>
    /// text, in the database's key order; the <c>__created</c> marker, and anything that is not a venue
    /// object or a plain value inside one, left out.
    /// </summary>
    public static JsonObject ForClients(JsonNode? venues)
    {
        var result = new JsonObject();
        foreach (var (name, node) in Ordered(venues))
        {
            if (JsonShapes.AsObject(node) is not { } venue)
            {
                continue;
            }

            var shown = new JsonObject();
            foreach (var (child, value) in venue.OrderBy(child => child.Key, JsonShapes.KeyOrder))
            {
                if (child != VenueFields.Created && value is JsonValue)
                {
                    shown[child] = value.DeepClone();
                }
            }

            result[name] = shown;
        }

        return result;
    }

    /// <summary>The venue's devices and their states (as text); reserved children and non-values left out.</summary>
    public static IReadOnlyDictionary<string, string> Devices(JsonNode? venue)
    {
        var devices = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in JsonShapes.AsObject(venue) ?? [])
        {
            if (!VenueFields.IsReserved(name) && JsonShapes.Text(value) is { } state)
            {
                devices[name] = state;
            }
        }

        return devices;
    }

    /// <summary>The names of the venues (objects only), in the database's key order.</summary>
    public static IEnumerable<string> NamesOf(JsonNode? venues) =>
        Ordered(venues).Where(venue => venue.Value is JsonObject or JsonArray).Select(venue => venue.Key);

    /// <summary>
    /// The original's rule, the only copy of it: the <c>faults</c> text of the first venue (in the database's key
    /// order), trimmed; "" when that venue has none or it is not text.
    /// </summary>
    public static string FirstVenueFaults(JsonNode? venues)
    {
        var first = Ordered(venues).FirstOrDefault(venue => venue.Value is JsonObject or JsonArray).Value;
        return JsonShapes.AsObject(first)?[VenueFields.Faults] is JsonValue faults && faults.TryGetValue(out string? text)
            ? text.Trim()
            : "";
    }

    private static IEnumerable<KeyValuePair<string, JsonNode?>> Ordered(JsonNode? venues) =>
        (JsonShapes.AsObject(venues) ?? []).OrderBy(venue => venue.Key, JsonShapes.KeyOrder);
}
