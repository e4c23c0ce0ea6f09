using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Api.Schedules;
using AuthApp.Api.Users;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Venues;

/// <summary>Venues (rooms) and their devices, under <c>users/{uid}/venues</c>.</summary>
public sealed class VenueService(IFirebaseDatabase database, UserRecords records, ScheduleService schedules, KnownDevices knownDevices)
{
    public async Task AddVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        var existing = await ChildKeysAsync(UserPaths.Venues(uid), cancellationToken);
        if (!existing.Contains(venue) && existing.Count >= UserDataLimits.MaxVenues)
        {
            throw FieldErrors.LimitExceeded("venue", $"A user may have at most {UserDataLimits.MaxVenues} venues.");
        }

        // A marker child keeps an empty venue alive (the database drops empty objects) without touching its devices.
        await database.UpdateAsync(UserPaths.Venue(uid, venue),
            new Dictionary<string, JsonNode?> { [VenueFields.Created] = true }, cancellationToken);
    }

    public async Task AddDeviceAsync(string uid, string venue, string device, string state, CancellationToken cancellationToken)
    {
        var children = await RequireVenueAsync(uid, venue, cancellationToken);
        var devices = children.Count(child => !VenueFields.IsReserved(child));
        if (!children.Contains(device) && devices >= UserDataLimits.MaxDevicesPerVenue)
        {
            throw FieldErrors.LimitExceeded("device", $"A venue may have at most {UserDataLimits.MaxDevicesPerVenue} devices.");
        }

        await database.SetAsync(UserPaths.Device(uid, venue, device), JsonValue.Create(state), cancellationToken);
    }

    public async Task SetDeviceStateAsync(string uid, string venue, string device, string value, CancellationToken cancellationToken)
    {
        // The common case costs one round trip: the device is in the cached names. Otherwise the database decides.
        if (!await knownDevices.ContainsAsync(uid, venue, device, cancellationToken))
        {
            await RequireDeviceAsync(uid, venue, device, cancellationToken);
            await knownDevices.ForgetAsync(uid);
        }

        await database.SetAsync(UserPaths.Device(uid, venue, device), JsonValue.Create(value), cancellationToken);
    }

    public async Task DeleteVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        await RequireVenueAsync(uid, venue, cancellationToken);
        // One multi-path write: the venue and its schedules go together.
        await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>
        {
            [UserPaths.Relative.Venue(venue)] = null,
            [UserPaths.Relative.VenueSchedules(venue)] = null,
        }, cancellationToken);
        await schedules.UnindexVenueAsync(uid, venue);
    }

    public async Task DeleteDeviceAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        await RequireDeviceAsync(uid, venue, device, cancellationToken);
        // One multi-path write: the device and its schedule go, and the venue keeps its marker so that it
        // survives losing its last device.
        await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>
        {
            [UserPaths.Relative.Device(venue, device)] = null,
            [UserPaths.Relative.VenueMarker(venue)] = true,
            [UserPaths.Relative.Schedule(venue, device)] = null,
        }, cancellationToken);
        await schedules.UnindexAsync(uid, venue, device);
    }

    /// <summary>The venue's devices and their states (reserved children left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> GetDevicesAsync(string uid, string venue, CancellationToken cancellationToken) =>
        VenueData.Devices(await records.ReadVenueAsync(uid, venue, cancellationToken));

    /// <summary>The names of the venue's children (devices and reserved ones); 404 when the venue does not exist.</summary>
    public async Task<IReadOnlySet<string>> RequireVenueAsync(string uid, string venue, CancellationToken cancellationToken)
    {
        var children = await ChildKeysAsync(UserPaths.Venue(uid, venue), cancellationToken);
        return children.Count > 0 ? children : throw VenueErrors.VenueNotFound();
    }

    /// <summary>404 unless both the venue and the device exist; one shallow read of the venue.</summary>
    public async Task RequireDeviceAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        if (!(await RequireVenueAsync(uid, venue, cancellationToken)).Contains(device) || VenueFields.IsReserved(device))
        {
            throw VenueErrors.DeviceNotFound();
        }
    }

    private async Task<IReadOnlySet<string>> ChildKeysAsync(string path, CancellationToken cancellationToken) =>
        (JsonShapes.AsObject(await database.GetShallowAsync(path, UserDataLimits.MaxSubtreeBytes, cancellationToken)) ?? [])
            .Select(child => child.Key)
            .ToHashSet(StringComparer.Ordinal);
}
