using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Users;

/// <summary>
/// Reads of a user's record, for the API and the worker. Each read fetches only the subtrees it needs (the
/// profile never downloads <c>secure/</c>, schedules or monitoring), normalises array-shaped nodes back to
/// objects, and refuses a subtree larger than <see cref="UserDataLimits.MaxSubtreeBytes"/>.
/// </summary>
public sealed class UserRecords(IFirebaseDatabase database)
{
    /// <summary>The children of <c>users/{uid}</c> the profile is made of: a write anywhere else leaves it as it is.</summary>
    public static IReadOnlySet<string> ProfileFields { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        UserFields.Email, UserFields.Name, UserFields.VerifiedAccess, UserFields.TimeZone, UserFields.Venues,
    };

    /// <summary>The profile: exactly the <see cref="ProfileFields"/>.</summary>
    public async Task<UserProfile> ReadProfileAsync(string uid, CancellationToken cancellationToken)
    {
        var email = database.GetAsync(UserPaths.Field(uid, UserFields.Email), cancellationToken: cancellationToken);
        var name = database.GetAsync(UserPaths.Field(uid, UserFields.Name), cancellationToken: cancellationToken);
        var access = database.GetAsync(UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        var zone = database.GetAsync(UserPaths.Field(uid, UserFields.TimeZone), cancellationToken: cancellationToken);
        var venues = ReadSubtreeAsync(UserPaths.Venues(uid), UserFields.Venues, cancellationToken);
        await Task.WhenAll(email, name, access, zone, venues);

        var stored = await venues;
        return new UserProfile(
            uid,
            JsonShapes.Text(await email),
            JsonShapes.Text(await name),
            VenueData.ForClients(stored),
            VenueData.FirstVenueFaults(stored),
            JsonShapes.IsTrue(await access),
            JsonShapes.Text(await zone));
    }

    /// <summary>The user's venues as stored (normalised to an object; empty when there are none).</summary>
    public async Task<JsonObject> ReadVenuesAsync(string uid, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await ReadSubtreeAsync(UserPaths.Venues(uid), UserFields.Venues, cancellationToken)) ?? [];

    /// <summary>One venue as stored, or null when it does not exist.</summary>
    public async Task<JsonObject?> ReadVenueAsync(string uid, string venue, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await database.GetAsync(UserPaths.Venue(uid, venue), cancellationToken: cancellationToken));

    /// <summary>The schedules tree <c>{venue: {device: schedule}}</c>, both levels normalised to objects.</summary>
    public async Task<JsonObject> ReadSchedulesAsync(string uid, CancellationToken cancellationToken) =>
        TwoLevels(await ReadSubtreeAsync(UserPaths.Schedules(uid), UserFields.Schedules, cancellationToken));

    /// <summary>The monitoring tree <c>{venue: {sensor: reading}}</c>, both levels normalised to objects.</summary>
    public async Task<JsonObject> ReadMonitoringAsync(string uid, CancellationToken cancellationToken) =>
        TwoLevels(await ReadSubtreeAsync(UserPaths.Monitoring(uid), UserFields.Monitoring, cancellationToken));

    /// <summary>The user's time zone id as stored (not checked), or null.</summary>
    public async Task<string?> ReadTimeZoneAsync(string uid, CancellationToken cancellationToken) =>
        JsonShapes.Text(await database.GetAsync(UserPaths.Field(uid, UserFields.TimeZone), cancellationToken: cancellationToken));

    /// <summary>How many children <paramref name="path"/> has, without downloading them (a shallow read).</summary>
    public async Task<int> CountChildrenAsync(string path, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await database.GetShallowAsync(path, cancellationToken))?.Count ?? 0;

    private async Task<JsonNode?> ReadSubtreeAsync(string path, string subtree, CancellationToken cancellationToken)
    {
        var node = await database.GetAsync(path, cancellationToken: cancellationToken);
        if (node is not null && JsonSerializer.SerializeToUtf8Bytes(node).Length > UserDataLimits.MaxSubtreeBytes)
        {
            throw new UserDataTooLargeException(subtree);
        }

        return node;
    }

    private static JsonObject TwoLevels(JsonNode? node)
    {
        var result = new JsonObject();
        foreach (var (venue, children) in (JsonShapes.AsObject(node) ?? []).OrderBy(entry => entry.Key, JsonShapes.KeyOrder))
        {
            if (JsonShapes.AsObject(children) is { } inner)
            {
                var copy = new JsonObject();
                foreach (var (name, value) in inner.OrderBy(entry => entry.Key, JsonShapes.KeyOrder))
                {
                    copy[name] = value?.DeepClone();
                }

                result[venue] = copy;
            }
        }

        return result;
    }
}

/// <summary>A subtree of a user's record is larger than the API will read or serve.</summary>
public sealed class UserDataTooLargeException(string subtree)
    : Exception($"The user's '{subtree}' data is larger than {UserDataLimits.MaxSubtreeBytes / 1024} KiB.")
{
    public string Subtree { get; } = subtree;
}
