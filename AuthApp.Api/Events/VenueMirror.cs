using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Events;

/// <summary>
/// A user's <c>venues</c> as the database's stream last showed them, kept by applying each <c>put</c> and <c>patch</c>
/// as Firebase defines them. Devices write here directly, so nothing in it is trusted: it is read only through
/// <see cref="VenueView"/>, and a mirror that grows past what the API would ever let a user store is given up
/// (<see cref="MirrorTooLargeException"/>) rather than held.
/// </summary>
internal sealed class VenueMirror
{
    /// <summary>Generous against the API's own limits: a client writing directly may go past them a little, not by this much.</summary>
    private const int MaxVenues = UserDataLimits.MaxVenues * 4;

    private const int MaxChildrenPerVenue = UserDataLimits.MaxDevicesPerVenue * 4;

    private JsonObject _venues = [];

    public IEnumerable<string> Names => _venues.Select(venue => venue.Key);

    public JsonNode? this[string venue] => _venues[venue];

    /// <summary>Applies <paramref name="change"/> and adds the venues it may have changed to <paramref name="affected"/>.</summary>
    public void Apply(DatabaseStreamEvent change, ISet<string> affected)
    {
        var segments = change.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (change.Kind == DatabaseStreamEventKind.Put)
        {
            Set(segments, change.Data, affected);
        }
        else if (change.Kind == DatabaseStreamEventKind.Patch && change.Data is JsonObject children)
        {
            foreach (var (key, value) in children.ToList())
            {
                Set([.. segments, .. key.Split('/', StringSplitOptions.RemoveEmptyEntries)], value?.DeepClone(), affected);
            }
        }

        if (_venues.Count > MaxVenues || affected.Any(venue => _venues[venue] is JsonObject { Count: > MaxChildrenPerVenue }))
        {
            throw new MirrorTooLargeException();
        }
    }

    private void Set(string[] segments, JsonNode? value, ISet<string> affected)
    {
        if (segments.Length == 0)
        {
            affected.UnionWith(Names);
            _venues = value is JsonObject venues && venues.Parent is null ? venues : JsonShapes.AsObject(value?.DeepClone()) ?? [];
            affected.UnionWith(Names);
            return;
        }

        affected.Add(segments[0]);
        var parents = new List<JsonObject>(segments.Length) { _venues };
        for (var i = 0; i < segments.Length - 1; i++)
        {
            if (parents[^1][segments[i]] is not JsonObject child)
            {
                if (value is null)
                {
                    return;
                }

                child = [];
                parents[^1][segments[i]] = child;
            }

            parents.Add(child);
        }

        if (value is null)
        {
            parents[^1].Remove(segments[^1]);
            // The database keeps no empty objects: a location whose last child went is gone too.
            for (var i = parents.Count - 1; i > 0 && parents[i].Count == 0; i--)
            {
                parents[i - 1].Remove(segments[i - 1]);
            }
        }
        else
        {
            parents[^1][segments[^1]] = value.Parent is null ? value : value.DeepClone();
        }
    }
}

/// <summary>A user's venues grew past what is followed live (<see cref="VenueMirror"/>).</summary>
internal sealed class MirrorTooLargeException() : Exception("The venues are too large to follow live.");

/// <summary>
/// A venue as a stream shows it: its devices' states and, under <c>faults</c>, its fault text when it has one; null
/// when there is no venue (or it is not an object). Read through <see cref="VenueData"/>, the one reader of venues.
/// </summary>
internal static class VenueView
{
    public static Dictionary<string, string>? Of(JsonNode? venue)
    {
        if (venue is not (JsonObject or JsonArray) || JsonShapes.AsObject(venue) is not { } children)
        {
            return null;
        }

        var view = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in children)
        {
            if (Child(name, value) is { } shown)
            {
                view[name] = shown;
            }
        }

        return view;
    }

    /// <summary>What a venue's child <paramref name="name"/> holding <paramref name="value"/> shows: a state, a fault text, or nothing.</summary>
    public static string? Child(string name, JsonNode? value) =>
        name == VenueFields.Faults
            ? VenueData.Faults(value) is { HasValue: true, Value: { Length: > 0 } faults } ? faults : null
            : VenueData.State(name, value);
}
