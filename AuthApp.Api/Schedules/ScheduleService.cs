using System.Text.Json.Nodes;
using AuthApp.Api.Caching;
using AuthApp.Api.Errors;
using AuthApp.Api.Users;
using AuthApp.Firebase.Database;
using AuthApp.Scheduling;

namespace AuthApp.Api.Schedules;

/// <summary>
/// Device schedules under <c>users/{uid}/schedules/{venue}/{device}</c> (<c>time, action, status,
/// timeZone, lastNotified</c>), and their entries in the due-schedule index the scheduler reads.
/// </summary>
public sealed class ScheduleService(
    IFirebaseDatabase database,
    DueScheduleIndex index,
    UserCache userCache,
    TimeProvider clock)
{
    public async Task<ScheduleResponse> SetAsync(string uid, SetScheduleRequest request, CancellationToken cancellationToken)
    {
        if (!ScheduleTime.TryParse(request.Time, out _))
        {
            throw AppError.BadRequest("invalid_time", "Field 'time' must be a time of day such as \"07:30 AM\" or \"19:30\".", "time");
        }

        if (request.TimeZone is not null && !TimeZones.TryFind(request.TimeZone, out _))
        {
            throw AppError.BadRequest("invalid_time_zone", "Field 'timeZone' must be an IANA time zone such as Europe/Paris.", "timeZone");
        }

        var venue = request.Venue!;
        var device = request.Device!;
        if (await database.GetAsync(UserPaths.Device(uid, venue, device), cancellationToken: cancellationToken) is null)
        {
            throw AppError.NotFound("device_not_found", "Device not found");
        }

        var schedule = new JsonObject
        {
            ["time"] = request.Time!.Trim(),
            ["action"] = request.Action,
            ["status"] = "enable",
        };
        if (request.TimeZone is not null)
        {
            schedule["timeZone"] = request.TimeZone;
        }

        await database.SetAsync(UserPaths.Schedule(uid, venue, device), schedule, cancellationToken);
        await IndexAsync(uid, venue, device, schedule, await UserTimeZoneAsync(uid, cancellationToken));
        await userCache.EvictAsync(uid, cancellationToken);
        return new ScheduleResponse(venue, device, request.Time.Trim(), request.Action!, "enable", request.TimeZone);
    }

    public async Task<JsonObject> GetAllAsync(string uid, CancellationToken cancellationToken) =>
        await database.GetAsync(UserPaths.Schedules(uid), cancellationToken: cancellationToken) as JsonObject ?? [];

    public async Task DeleteAsync(string uid, string venue, string device, CancellationToken cancellationToken)
    {
        await RequireAsync(uid, venue, device, cancellationToken);
        await database.DeleteAsync(UserPaths.Schedule(uid, venue, device), cancellationToken);
        await UnindexAsync(uid, venue, device);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    public async Task SetStatusAsync(string uid, string venue, string device, string status, CancellationToken cancellationToken)
    {
        var schedule = await RequireAsync(uid, venue, device, cancellationToken);
        await database.UpdateAsync(UserPaths.Schedule(uid, venue, device),
            new Dictionary<string, JsonNode?> { ["status"] = status }, cancellationToken);
        schedule["status"] = status;
        await IndexAsync(uid, venue, device, schedule, await UserTimeZoneAsync(uid, cancellationToken));
        await userCache.EvictAsync(uid, cancellationToken);
    }

    /// <summary>Re-times every schedule of the user (after a time-zone change).</summary>
    public async Task ReindexUserAsync(string uid, CancellationToken cancellationToken)
    {
        var userZone = await UserTimeZoneAsync(uid, cancellationToken);
        foreach (var (venue, devices) in await GetAllAsync(uid, cancellationToken))
        {
            foreach (var (device, schedule) in devices as JsonObject ?? [])
            {
                if (schedule is JsonObject definition)
                {
                    await IndexAsync(uid, venue, device, definition, userZone);
                }
            }
        }
    }

    public Task UnindexAsync(string uid, string venue, string device) => index.RemoveAsync(new ScheduleId(uid, venue, device));

    public Task UnindexVenueAsync(string uid, string venue) => index.RemoveVenueAsync(uid, venue);

    public Task RemoveUserAsync(string uid) => index.RemoveUserAsync(uid);

    private async Task IndexAsync(string uid, string venue, string device, JsonObject schedule, string? userZone)
    {
        var id = new ScheduleId(uid, venue, device);
        if (ScheduleTiming.Of(schedule, userZone) is { } timing)
        {
            await index.UpsertAsync(id, timing.Next(clock.GetUtcNow()));
        }
        else
        {
            await index.RemoveAsync(id);
        }
    }

    private async Task<string?> UserTimeZoneAsync(string uid, CancellationToken cancellationToken) =>
        await database.GetAsync(UserPaths.TimeZone(uid), cancellationToken: cancellationToken) is JsonValue zone ? zone.ToString() : null;

    private async Task<JsonObject> RequireAsync(string uid, string venue, string device, CancellationToken cancellationToken) =>
        await database.GetAsync(UserPaths.Schedule(uid, venue, device), cancellationToken: cancellationToken) as JsonObject
        ?? throw AppError.NotFound("schedule_not_found", "Schedule not found");
}
