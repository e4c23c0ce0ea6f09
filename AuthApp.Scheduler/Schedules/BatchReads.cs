using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Reads what a batch of due schedules needs, in as few requests as the layout allows: the Realtime Database has
/// no multi-get, so per user one read of its time zone and venues together (<see cref="UserPaths.TimeZoneAndVenues"/>)
/// and, per venue with due devices, one read of the venue's schedules. A user with ten lamps due at 22:30 in one room
/// costs two small reads, not thirty; nothing else of the user's record (monitoring, secure data) is downloaded.
/// <para>
/// Every read is bounded (<see cref="UserDataLimits.MaxSubtreeBytes"/>): a user who wrote more than that straight into
/// the database costs the batch no more than that. Their due schedules are then read one field at a time (the time
/// zone, each due device, each due schedule), so they still fire; only what is itself too large or unreadable fails,
/// and only for its own entries. Each user's reads stand alone: one user's failure never reaches another's entries.
/// </para>
/// </summary>
internal static class BatchReads
{
    /// <summary>Field-by-field reads of one user at a time (only for a user who stored more than a read takes).</summary>
    private const int FieldReadsPerUser = 16;

    /// <summary>One snapshot per id; a user whose reads failed gets the failure on each of its ids.</summary>
    public static async Task<IReadOnlyDictionary<ScheduleId, ScheduleSnapshot>> ReadAsync(
        IFirebaseDatabase database, IEnumerable<ScheduleId> ids, int parallelism, DateTimeOffset now)
    {
        var snapshots = new ConcurrentDictionary<ScheduleId, ScheduleSnapshot>();
        await Parallel.ForEachAsync(ids.Distinct().GroupBy(id => id.Uid), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (user, _) =>
            {
                try
                {
                    await ReadUserAsync(database, user.Key, [.. user], now, snapshots);
                }
                catch (Exception exception)
                {
                    foreach (var id in user)
                    {
                        snapshots[id] = new ScheduleSnapshot(null, false, exception);
                    }
                }
            });
        return snapshots;
    }

    private static async Task ReadUserAsync(
        IFirebaseDatabase database, string uid, IReadOnlyList<ScheduleId> ids, DateTimeOffset now, ConcurrentDictionary<ScheduleId, ScheduleSnapshot> snapshots)
    {
        // Writes are not cancelled once a batch is claimed, and neither are its reads (HTTP timeouts bound them).
        var zoneAndVenues = ReadBoundedAsync(database, UserPaths.User(uid), UserPaths.TimeZoneAndVenues);
        var venues = ids.GroupBy(id => id.Venue).Select(venue => (
            Ids: venue.ToList(),
            Name: venue.Key,
            Schedules: ReadBoundedAsync(database, UserPaths.VenueSchedules(uid, venue.Key), null))).ToList();
        await Task.WhenAll(venues.Select(venue => (Task)venue.Schedules).Append(zoneAndVenues));

        var record = await zoneAndVenues;
        var userZone = record.Fits
            ? JsonShapes.AsObject(record.Node)?[UserFields.TimeZone]
            : await database.GetAsync(UserPaths.Field(uid, UserFields.TimeZone), null, UserRecords.MaxFieldBytes, CancellationToken.None);
        var userVenues = record.Fits ? JsonShapes.AsObject(JsonShapes.AsObject(record.Node)?[UserFields.Venues]) : null;
        // A user who stored too much is read field by field, those reads side by side: a batch waits for its slowest
        // user, and one user's many small reads one after the other would hold back everyone else in the batch.
        using var fieldReads = new SemaphoreSlim(FieldReadsPerUser);
        await Task.WhenAll(venues.SelectMany(venue => venue.Ids.Select(async id =>
        {
            try
            {
                var schedules = await venue.Schedules;
                var stored = schedules.Fits
                    ? JsonShapes.AsObject(schedules.Node)?[id.Device]
                    : await ReadFieldAsync(database, UserPaths.Schedule(id.Uid, id.Venue, id.Device), fieldReads);
                var deviceExists = userVenues is not null
                    ? VenueData.State(id.Device, JsonShapes.AsObject(userVenues[venue.Name])?[id.Device]) is not null
                    : VenueData.State(id.Device, await ReadFieldAsync(database, UserPaths.Device(id.Uid, id.Venue, id.Device), fieldReads)) is not null;
                snapshots[id] = new ScheduleSnapshot(ScheduleDefinition.Read(id, stored, userZone, now), deviceExists);
            }
            catch (Exception exception)
            {
                snapshots[id] = new ScheduleSnapshot(null, false, exception);
            }
        })));
    }

    /// <summary>A read of at most <see cref="UserDataLimits.MaxSubtreeBytes"/>; <c>Fits</c> is false when the data there is larger.</summary>
    private static async Task<(bool Fits, JsonNode? Node)> ReadBoundedAsync(IFirebaseDatabase database, string path, DatabaseQuery? query)
    {
        try
        {
            return (true, await database.GetAsync(path, query, UserDataLimits.MaxSubtreeBytes, CancellationToken.None));
        }
        catch (DatabaseException exception) when (exception.Kind is DatabaseErrorKind.ResponseTooLarge or DatabaseErrorKind.InvalidResponse)
        {
            return (false, null);
        }
    }

    /// <summary>One field of a user who stored too much around it; a field that is itself too large fails its own entry.</summary>
    private static async Task<JsonNode?> ReadFieldAsync(IFirebaseDatabase database, string path, SemaphoreSlim fieldReads)
    {
        await fieldReads.WaitAsync();
        try
        {
            return await database.GetAsync(path, null, UserRecords.MaxFieldBytes, CancellationToken.None);
        }
        finally
        {
            fieldReads.Release();
        }
    }
}
