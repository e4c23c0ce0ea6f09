using System.Collections.Concurrent;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Reads what a batch of due schedules needs, in as few requests as the layout allows: the Realtime Database has
/// no multi-get, so per user one read of its time zone and venues together (<see cref="UserPaths.TimeZoneAndVenues"/>)
/// and, per venue with due devices, one read of the venue's schedules. A user with ten lamps due at 22:30 in one room
/// costs two small reads, not thirty; nothing else of the user's record (monitoring, secure data) is downloaded.
/// </summary>
internal static class BatchReads
{
    /// <summary>One snapshot per id; a user whose reads failed gets the failure on each of its ids.</summary>
    public static async Task<IReadOnlyDictionary<ScheduleId, ScheduleSnapshot>> ReadAsync(
        IFirebaseDatabase database, IEnumerable<ScheduleId> ids, int parallelism)
    {
        var snapshots = new ConcurrentDictionary<ScheduleId, ScheduleSnapshot>();
        await Parallel.ForEachAsync(ids.Distinct().GroupBy(id => id.Uid), new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (user, _) =>
            {
                try
                {
                    // Writes are not cancelled once a batch is claimed, and neither are its reads (HTTP timeouts bound them).
                    var zoneAndVenues = database.GetAsync(UserPaths.User(user.Key), UserPaths.TimeZoneAndVenues, CancellationToken.None);
                    var venues = user.GroupBy(id => id.Venue).Select(venue => (
                        Ids: venue.ToList(),
                        Name: venue.Key,
                        Schedules: database.GetAsync(UserPaths.VenueSchedules(user.Key, venue.Key), cancellationToken: CancellationToken.None))).ToList();
                    await Task.WhenAll(venues.Select(venue => venue.Schedules).Append(zoneAndVenues));

                    var record = JsonShapes.AsObject(await zoneAndVenues);
                    var userZone = JsonShapes.Text(record?[UserFields.TimeZone]);
                    var userVenues = JsonShapes.AsObject(record?[UserFields.Venues]);
                    foreach (var venue in venues)
                    {
                        var schedules = JsonShapes.AsObject(await venue.Schedules);
                        var devices = VenueData.Devices(userVenues?[venue.Name]);
                        foreach (var id in venue.Ids)
                        {
                            snapshots[id] = new ScheduleSnapshot(JsonShapes.AsObject(schedules?[id.Device]), devices.ContainsKey(id.Device), userZone);
                        }
                    }
                }
                catch (Exception exception)
                {
                    foreach (var id in user)
                    {
                        snapshots[id] = new ScheduleSnapshot(null, false, null, exception);
                    }
                }
            });
        return snapshots;
    }
}
