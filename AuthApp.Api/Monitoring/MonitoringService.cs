using System.Text.Json.Nodes;
using AuthApp.Api.Caching;
using AuthApp.Api.Errors;
using AuthApp.Api.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Monitoring;

/// <summary>Monitored venues and their sensors under <c>users/{uid}/monitoring_venues/{venue}/{sensor}</c>.</summary>
public sealed class MonitoringService(IFirebaseDatabase database, UserCache userCache)
{
    public async Task<JsonObject> AddVenueAsync(string uid, string venue, IReadOnlyList<string> sensors, CancellationToken cancellationToken)
    {
        for (var i = 0; i < sensors.Count; i++)
        {
            if (!DatabasePath.IsValidKey(sensors[i]))
            {
                throw AppError.BadRequest("invalid_sensor",
                    $"Field 'sensors[{i}]' must be a non-empty name without . # $ [ ] / or control characters.", $"sensors[{i}]");
            }
        }

        // New sensors start at "0"; sensors already reporting keep their readings. A transaction, so that a
        // reading written by a sensor meanwhile is not overwritten either.
        await database.TransactAsync(UserPaths.MonitoringVenue(uid, venue), current =>
        {
            var readings = current is JsonObject existing ? (JsonObject)existing.DeepClone() : [];
            foreach (var sensor in sensors)
            {
                if (!readings.ContainsKey(sensor))
                {
                    readings[sensor] = "0";
                }
            }

            return readings;
        }, cancellationToken: cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
        return await GetAllAsync(uid, cancellationToken);
    }

    public async Task<JsonObject> GetAllAsync(string uid, CancellationToken cancellationToken) =>
        await database.GetAsync(UserPaths.Monitoring(uid), cancellationToken: cancellationToken) as JsonObject ?? [];

    public async Task DeleteVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        if (await database.GetShallowAsync(UserPaths.MonitoringVenue(uid, venue), cancellationToken) is null)
        {
            throw AppError.NotFound("monitoring_venue_not_found", "Monitoring venue not found");
        }

        await database.DeleteAsync(UserPaths.MonitoringVenue(uid, venue), cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }
}
