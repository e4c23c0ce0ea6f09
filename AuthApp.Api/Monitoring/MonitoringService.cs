using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Api.Users;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Monitoring;

/// <summary>Monitored venues and their sensors under <c>users/{uid}/monitoring_venues/{venue}/{sensor}</c>.</summary>
public sealed class MonitoringService(IFirebaseDatabase database, UserRecords records)
{
    /// <summary>The reading a new sensor starts with, as in the original.</summary>
    public const string InitialReading = "0";

    public async Task<JsonObject> AddVenueAsync(string uid, string venue, IReadOnlyList<string> sensors, CancellationToken cancellationToken)
    {
        for (var i = 0; i < sensors.Count; i++)
        {
            if (!Names.IsValid(sensors[i]))
            {
                throw FieldErrors.InvalidSensor(i);
            }
        }

        var venues = JsonShapes.AsObject(await database.GetShallowAsync(UserPaths.Monitoring(uid), UserDataLimits.MaxSubtreeBytes, cancellationToken)) ?? [];
        if (!venues.ContainsKey(venue) && venues.Count >= UserDataLimits.MaxMonitoringVenues)
        {
            throw FieldErrors.LimitExceeded("venue", $"A user may monitor at most {UserDataLimits.MaxMonitoringVenues} venues.");
        }

        // New sensors start at "0"; sensors already reporting keep their readings. A transaction, so that a
        // reading written by a sensor meanwhile is not overwritten either.
        var tooMany = false;
        await database.TransactAsync(UserPaths.MonitoringVenue(uid, venue), current =>
        {
            var readings = JsonShapes.AsObject(current?.DeepClone()) ?? [];
            foreach (var sensor in sensors)
            {
                readings.TryAdd(sensor, InitialReading);
            }

            tooMany = readings.Count > UserDataLimits.MaxSensorsPerVenue;
            return tooMany ? current?.DeepClone() : readings;
        }, cancellationToken: cancellationToken);
        if (tooMany)
        {
            throw FieldErrors.LimitExceeded("sensors", $"A monitored venue may have at most {UserDataLimits.MaxSensorsPerVenue} sensors.");
        }

        return await GetAllAsync(uid, cancellationToken);
    }

    public Task<JsonObject> GetAllAsync(string uid, CancellationToken cancellationToken) =>
        records.ReadMonitoringAsync(uid, cancellationToken);

    public async Task DeleteVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        if (await database.GetShallowAsync(UserPaths.MonitoringVenue(uid, venue), UserDataLimits.MaxSubtreeBytes, cancellationToken) is null)
        {
            throw AppError.NotFound(ProblemCodes.MonitoringVenueNotFound, "Monitoring venue not found");
        }

        await database.DeleteAsync(UserPaths.MonitoringVenue(uid, venue), cancellationToken);
    }
}
