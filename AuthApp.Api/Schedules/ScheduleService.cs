using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Api.Users;
using AuthApp.Api.Venues;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Redis;

namespace AuthApp.Api.Schedules;

/// <summary>
/// Device schedules under <c>users/{uid}/schedules/{venue}/{device}</c> (<c>time, action, status,
/// timeZone, lastNotified</c>), and their entries in the due-schedule index the scheduler reads.
/// </summary>
public sealed class ScheduleService(
    IFirebaseDatabase database,
    UserRecords records,
    DueScheduleIndex index,
    TimeProvider clock,
    ILogger<ScheduleService> logger)
{
    public async Task<ScheduleResponse> SetAsync(string uid, SetScheduleRequest request, CancellationToken cancellationToken)
    {
        if (!ScheduleTime.TryParse(request.Time, out _))
        {
            throw FieldErrors.InvalidTime();
        }

        if (request.TimeZone is not null && !TimeZones.IsValid(request.TimeZone))
        {
            throw FieldErrors.InvalidTimeZone();
        }

        var venue = request.Venue!;
        var device = request.Device!;
        var existing = records.ReadSchedulesAsync(uid, cancellationToken);
        var deviceRead = database.GetAsync(UserPaths.Device(uid, venue, device), null, UserRecords.MaxFieldBytes, cancellationToken);
        var userZone = records.ReadTimeZoneAsync(uid, cancellationToken);
        if (await deviceRead is null || VenueFields.IsReserved(device))
        {
            throw VenueErrors.DeviceNotFound();
        }

        var schedules = await existing;
        var count = schedules.Sum(entry => (entry.Value as JsonObject)?.Count ?? 0);
        var replaces = (schedules[venue] as JsonObject)?.ContainsKey(device) == true;
        if (!replaces && count >= UserDataLimits.MaxSchedules)
        {
            throw FieldErrors.LimitExceeded("device", $"A user may have at most {UserDataLimits.MaxSchedules} schedules.");
        }

        var schedule = new JsonObject
        {
            [ScheduleFields.Time] = request.Time!.Trim(),
            [ScheduleFields.Action] = request.Action,
            [ScheduleFields.Status] = ScheduleFields.Enabled,
        };
        if (request.TimeZone is not null)
        {
            schedule[ScheduleFields.TimeZone] = request.TimeZone;
        }

        var path = UserPaths.Schedule(uid, venue, device);
        var previous = JsonShapes.AsObject(schedules[venue])?[device]?.DeepClone();
        if (previous is not null && previous is not JsonObject)
        {
            // Written straight into the database as something no schedule is: the undo puts nothing back there.
            previous = null;
        }
        await WriteThenIndexAsync(uid, venue, device, schedule, await userZone, "The schedule was not saved",
            write: () => database.SetAsync(path, schedule, cancellationToken),
            undo: () => database.SetAsync(path, previous, CancellationToken.None));
        return new ScheduleResponse(venue, device, request.Time.Trim(), request.Action!, ScheduleFields.Enabled, request.TimeZone);
    }

    public Task<JsonObject> GetAllAsync(string uid, CancellationToken cancellationToken) =>
        records.ReadSchedulesAsync(uid, cancellationToken);

    public async Task DeleteAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        await RequireAsync(uid, venue, device, cancellationToken);
        await database.DeleteAsync(UserPaths.Schedule(uid, venue, device), cancellationToken);
        await UnindexAsync(uid, venue, device);
    }

    public async Task SetStatusAsync(string uid, string venue, string device, string status, CancellationToken cancellationToken)
    {
        var schedule = (JsonObject)(await RequireAsync(uid, venue, device, cancellationToken)).DeepClone();
        var path = UserPaths.Schedule(uid, venue, device);
        var previous = schedule[ScheduleFields.Status]?.DeepClone();
        schedule[ScheduleFields.Status] = status;
        var userZone = await records.ReadTimeZoneAsync(uid, cancellationToken);
        // Only the status is written: the worker writes lastNotified beside it.
        await WriteThenIndexAsync(uid, venue, device, schedule, userZone, "The schedule's status was not changed",
            write: () => database.UpdateAsync(path, new Dictionary<string, JsonNode?> { [ScheduleFields.Status] = status }, cancellationToken),
            undo: () => database.UpdateAsync(path, new Dictionary<string, JsonNode?> { [ScheduleFields.Status] = previous }, CancellationToken.None));
    }

    /// <summary>
    /// Re-times every schedule of the user (after a time-zone change): at most <see cref="UserDataLimits.MaxSchedules"/>
    /// of them, in key order, however many a client wrote straight into the database.
    /// </summary>
    public async Task ReindexUserAsync(string uid, CancellationToken cancellationToken)
    {
        var userZone = await records.ReadTimeZoneAsync(uid, cancellationToken);
        var schedules = from venue in await GetAllAsync(uid, cancellationToken)
                        from device in venue.Value as JsonObject ?? []
                        where Names.IsValid(venue.Key) && Names.IsValid(device.Key)
                        select (Venue: venue.Key, Device: device.Key, Stored: device.Value);
        foreach (var (venue, device, stored) in schedules.Take(UserDataLimits.MaxSchedules))
        {
            await IndexAsync(uid, venue, device, stored, userZone);
        }
    }

    public Task UnindexAsync(string uid, string venue, string device) => index.RemoveAsync(new ScheduleId(uid, venue, device));

    public Task UnindexVenueAsync(string uid, string venue) => index.RemoveVenueAsync(uid, venue);

    public Task RemoveUserAsync(string uid) => index.RemoveUserAsync(uid);

    /// <summary>
    /// Stores a schedule change, then moves its index entry to <paramref name="schedule"/>'s next occurrence.
    /// Finishes or undoes: when the index cannot be updated, <paramref name="undo"/> puts the stored schedule back
    /// (the entry still says when that one fires) and the answer is 503 saying <paramref name="notDone"/>.
    /// </summary>
    private async Task WriteThenIndexAsync(
        string uid, string venue, string device, JsonObject schedule, JsonNode? userZone, string notDone, Func<Task> write, Func<Task> undo)
    {
        await write();
        try
        {
            await IndexAsync(uid, venue, device, schedule, userZone);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            await Undo.BestEffortAsync(logger, "schedule change", undo);
            throw Undo.Unavailable(notDone);
        }
    }

    private async Task IndexAsync(string uid, string venue, string device, JsonNode? schedule, JsonNode? userZone)
    {
        var id = new ScheduleId(uid, venue, device);
        var now = clock.GetUtcNow();
        if (ScheduleDefinition.Read(id, schedule, userZone, now) is { Fires: true, Timing: { } timing })
        {
            await index.UpsertAsync(id, timing.Next(now));
        }
        else
        {
            await index.RemoveAsync(id);
        }
    }

    private async Task<JsonObject> RequireAsync(string uid, string venue, string device, CancellationToken cancellationToken) =>
        JsonShapes.AsObject(await records.ReadScheduleAsync(uid, venue, device, cancellationToken))
        ?? throw AppError.NotFound(ProblemCodes.ScheduleNotFound, "Schedule not found");
}
