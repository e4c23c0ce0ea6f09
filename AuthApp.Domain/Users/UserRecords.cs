using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Users;

/// <summary>
/// Reads of a user's record, for the API and the worker. Each read fetches only the subtrees it needs (the
/// profile never downloads <c>secure/</c>, schedules or monitoring), reads at most
/// <see cref="UserDataLimits.MaxSubtreeBytes"/> of a subtree (the database client stops there: a tenant who wrote
/// megabytes straight into the database costs a reader no more than that) and normalises array-shaped nodes back
/// to objects. A single field past <see cref="MaxFieldBytes"/> reads as absent.
/// </summary>
public sealed class UserRecords(IFirebaseDatabase database)
{
    /// <summary>The most read of one plain field (name, e-mail, time zone): far above any value the product writes.</summary>
    public const int MaxFieldBytes = 16 * 1024;

    /// <summary>The children of <c>users/{uid}</c> the profile is made of: a write anywhere else leaves it as it is.</summary>
    public static IReadOnlySet<string> ProfileFields { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        UserFields.Email, UserFields.Name, UserFields.VerifiedAccess, UserFields.TimeZone, UserFields.Venues,
    };

    /// <summary>The profile: exactly the <see cref="ProfileFields"/>.</summary>
    public async Task<UserProfile> ReadProfileAsync(string uid, CancellationToken cancellationToken)
    {
        var email = ReadFieldAsync(uid, UserFields.Email, cancellationToken);
        var name = ReadFieldAsync(uid, UserFields.Name, cancellationToken);
        var access = ReadFieldAsync(uid, UserFields.VerifiedAccess, cancellationToken);
        var zone = ReadFieldAsync(uid, UserFields.TimeZone, cancellationToken);
        var venues = ReadSubtreeAsync(UserPaths.Venues(uid), UserFields.Venues, cancellationToken);
        await Task.WhenAll(email, name, access, zone, venues);

        var stored = await venues;
        return new UserProfile(
            uid,
            JsonShapes.Text(await email, UserDataLimits.MaxEmailLength).Value,
            JsonShapes.Text(await name, UserDataLimits.MaxDisplayNameLength).Value,
            VenueData.ForClients(stored),
            VenueData.FirstVenueFaults(stored).Or("") ?? "",
            JsonShapes.IsTrue(await access),
            JsonShapes.Text(await zone, UserDataLimits.MaxTimeZoneLength).Value);
    }

    /// <summary>The user's venues as stored (normalised to an object; empty when there are none).</summary>
    public async Task<JsonObject> ReadVenuesAsync(string uid, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await ReadSubtreeAsync(UserPaths.Venues(uid), UserFields.Venues, cancellationToken)) ?? [];

    /// <summary>One venue as stored, or null when it does not exist.</summary>
    public async Task<JsonObject?> ReadVenueAsync(string uid, string venue, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await ReadSubtreeAsync(UserPaths.Venue(uid, venue), UserFields.Venues, cancellationToken));

    /// <summary>The schedules tree <c>{venue: {device: schedule}}</c>, both levels normalised to objects.</summary>
    public async Task<JsonObject> ReadSchedulesAsync(string uid, CancellationToken cancellationToken) =>
        TwoLevels(await ReadSubtreeAsync(UserPaths.Schedules(uid), UserFields.Schedules, cancellationToken));

    /// <summary>One schedule as stored, or null (bounded like a subtree).</summary>
    public Task<JsonNode?> ReadScheduleAsync(string uid, string venue, string device, CancellationToken cancellationToken) =>
        ReadSubtreeAsync(UserPaths.Schedule(uid, venue, device), UserFields.Schedules, cancellationToken);

    /// <summary>The monitoring tree <c>{venue: {sensor: reading}}</c>, both levels normalised to objects.</summary>
    public async Task<JsonObject> ReadMonitoringAsync(string uid, CancellationToken cancellationToken) =>
        TwoLevels(await ReadSubtreeAsync(UserPaths.Monitoring(uid), UserFields.Monitoring, cancellationToken));

    /// <summary>The user's <c>timeZone</c> node as stored (read it with <see cref="Schedules.ScheduleDefinition"/> or <see cref="JsonShapes"/>).</summary>
    public Task<JsonNode?> ReadTimeZoneAsync(string uid, CancellationToken cancellationToken) =>
        ReadFieldAsync(uid, UserFields.TimeZone, cancellationToken);

    /// <summary>How many children <paramref name="path"/> has, without downloading them (a shallow read, bounded like a subtree).</summary>
    public async Task<int> CountChildrenAsync(string path, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await database.GetShallowAsync(path, UserDataLimits.MaxSubtreeBytes, cancellationToken))?.Count ?? 0;

    /// <summary>One plain field of the record; absent when it is larger than any value of the layout (<see cref="MaxFieldBytes"/>).</summary>
    public Task<JsonNode?> ReadFieldAsync(string uid, string field, CancellationToken cancellationToken) =>
        ReadValueAsync(database, UserPaths.Field(uid, field), cancellationToken);

    /// <summary>One plain value anywhere; absent when it is larger than any value of the layout (<see cref="MaxFieldBytes"/>) or unreadable.</summary>
    public static async Task<JsonNode?> ReadValueAsync(IFirebaseDatabase database, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await database.GetAsync(path, null, MaxFieldBytes, cancellationToken);
        }
        catch (DatabaseException exception) when (exception.Kind is DatabaseErrorKind.ResponseTooLarge or DatabaseErrorKind.InvalidResponse)
        {
            return null;
        }
    }

    private async Task<JsonNode?> ReadSubtreeAsync(string path, string subtree, CancellationToken cancellationToken)
    {
        try
        {
            return await database.GetAsync(path, null, UserDataLimits.MaxSubtreeBytes, cancellationToken);
        }
        catch (DatabaseException exception) when (exception.Kind is DatabaseErrorKind.ResponseTooLarge or DatabaseErrorKind.InvalidResponse)
        {
            throw new UserDataTooLargeException(subtree, exception.Kind == DatabaseErrorKind.ResponseTooLarge);
        }
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

/// <summary>A subtree of a user's record is larger than the API will read or serve, or is not JSON it can read.</summary>
public sealed class UserDataTooLargeException(string subtree, bool tooLarge = true)
    : Exception(tooLarge
        ? $"The user's '{subtree}' data is larger than {UserDataLimits.MaxSubtreeBytes / 1024} KiB."
        : $"The user's '{subtree}' data cannot be read.")
{
    public string Subtree { get; } = subtree;

    /// <summary>False when the data is unreadable rather than too large.</summary>
    public bool TooLarge { get; } = tooLarge;
}
