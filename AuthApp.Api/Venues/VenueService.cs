using System.Text.Json.Nodes;
using AuthApp.Api.Caching;
using AuthApp.Api.Errors;
using AuthApp.Api.Schedules;
using AuthApp.Api.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Venues;

/// <summary>Venues (rooms) and their devices, under <c>users/{uid}/venues</c>.</summary>
public sealed class VenueService(IFirebaseDatabase database, ScheduleService schedules, UserCache userCache)
{
    public async Task AddVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        // A marker child keeps an empty venue alive (the database drops empty objects) without touching its devices.
        await database.UpdateAsync(UserPaths.Venue(uid, venue),
            new Dictionary<string, JsonNode?> { [VenueFields.Created] = true }, cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    public async Task AddDeviceAsync(string uid, string venue, string device, string state, CancellationToken cancellationToken)
    {
        await RequireVenueAsync(uid, venue, cancellationToken);
        await database.SetAsync(UserPaths.Device(uid, venue, device), JsonValue.Create(state), cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    public async Task SetDeviceStateAsync(string uid, string venue, string device, string value, CancellationToken cancellationToken)
    {
        await RequireDeviceAsync(uid, venue, device, cancellationToken);
        await database.SetAsync(UserPaths.Device(uid, venue, device), JsonValue.Create(value), cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    public async Task DeleteVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        await RequireVenueAsync(uid, venue, cancellationToken);
        // One multi-path write: the venue and its schedules go together.
        await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>
        {
            [$"venues/{venue}"] = null,
            [$"schedules/{venue}"] = null,
        }, cancellationToken);
        await schedules.UnindexVenueAsync(uid, venue);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    public async Task DeleteDeviceAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        await RequireDeviceAsync(uid, venue, device, cancellationToken);
        // One multi-path write: the device and its schedule go, and the venue keeps its marker so that it
        // survives losing its last device.
        await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>
        {
            [$"venues/{venue}/{device}"] = null,
            [$"venues/{venue}/{VenueFields.Created}"] = true,
            [$"schedules/{venue}/{device}"] = null,
        }, cancellationToken);
        await schedules.UnindexAsync(uid, venue, device);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    /// <summary>The venue's devices and their states (reserved children left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetDevicesAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        var node = await database.GetAsync(UserPaths.Venue(uid, venue), cancellationToken: cancellationToken) as JsonObject;
        return node is null
            ? new Dictionary<string, string>()
            : node.Where(child => !VenueFields.IsReserved(child.Key) && child.Value is JsonValue)
                .ToDictionary(child => child.Key, child => child.Value!.ToString());
    }

    public async Task RequireVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        var shallow = await database.GetShallowAsync(UserPaths.Venue(uid, venue), cancellationToken);
        if (shallow is null)
        {
            throw AppError.NotFound("venue_not_found", "Venue not found");
        }
    }

    public async Task RequireDeviceAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        await RequireVenueAsync(uid, venue, cancellationToken);
        if (await database.GetAsync(UserPaths.Device(uid, venue, device), cancellationToken: cancellationToken) is null)
        {
            throw AppError.NotFound("device_not_found", "Device not found");
        }
    }
}
