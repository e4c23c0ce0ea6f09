using AuthApp.Api.Caching;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Venues;

/// <summary>
/// The names of a user's venues and devices, kept in the per-user cache so that setting a device's state (the
/// app's most frequent write) is one database write, not a read and a write. A name in the entry is trusted: a
/// removal through the services evicts the entry on every replica (<see cref="UserCacheKeys.AffectedBy"/>), so
/// only a removal made straight to the database can leave a stale name, for at most the cached reads' duration,
/// the same staleness the cached profile has. A name missing from the entry is never refused on the entry's word:
/// the caller looks it up in the database and, if it exists, has the entry refilled.
/// </summary>
public sealed class KnownDevices(UserCache cache, UserCacheEntries entries, UserRecords records)
{
    public async Task<bool> ContainsAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        if (VenueFields.IsReserved(device))
        {
            return false;
        }

        Dictionary<string, string[]> names;
        try
        {
            names = await cache.GetOrSetAsync<Dictionary<string, string[]>>(
                UserCacheKeys.DeviceNames(uid),
                async token => Read(await records.ReadVenuesAsync(uid, token)),
                SizeOf,
                entries.Reads,
                cancellationToken);
        }
        catch (UserDataTooLargeException)
        {
            // Venues written past the size ceiling straight to the database: the caller's one-venue lookup still works.
            return false;
        }

        return names.TryGetValue(venue, out var devices) && devices.Contains(device, StringComparer.Ordinal);
    }

    /// <summary>The entry missed a name the database has (a venue or device added since): read it again next time.</summary>
    public Task ForgetAsync(string uid) =>
        cache.Entries.RemoveAsync(UserCacheKeys.DeviceNames(uid), token: CancellationToken.None).AsTask();

    /// <summary>The dictionary (about 80 bytes, 24 per entry), each venue's name and array, each device's name.</summary>
    private static long SizeOf(Dictionary<string, string[]> names) =>
        80 + names.Sum(venue => 24 + UserCacheSizes.Of(venue.Key) + 24 + (8L * venue.Value.Length) + venue.Value.Sum(UserCacheSizes.Of));

    private static Dictionary<string, string[]> Read(System.Text.Json.Nodes.JsonObject venues) =>
        VenueData.NamesOf(venues).ToDictionary(
            venue => venue,
            venue => VenueData.Devices(venues[venue]).Keys.ToArray(),
            StringComparer.Ordinal);
}
