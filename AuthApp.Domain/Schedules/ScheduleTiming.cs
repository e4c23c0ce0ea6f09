using System.Text.Json.Nodes;
using AuthApp.Domain.Users;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// When a stored schedule (<c>users/{uid}/schedules/{venue}/{device}</c>) fires: its time of day in its
/// own time zone, else the user's, else UTC. The API, the runner and the index rebuild all read a
/// schedule through this, so they agree on what counts as enabled and readable.
/// </summary>
public readonly record struct ScheduleTiming(TimeOnly Time, TimeZoneInfo Zone)
{
    /// <summary>
    /// The timing of an enabled schedule with a readable time; <c>null</c> otherwise. A zone that is set
    /// (on the schedule or, when the schedule has none, on the user) but is not a known IANA zone makes the
    /// schedule unreadable too: firing it at a guessed time would be worse than not firing it.
    /// </summary>
    public static ScheduleTiming? Of(JsonObject schedule, string? userZone)
    {
        if (JsonShapes.Text(schedule[ScheduleFields.Status]) != ScheduleFields.Enabled
            || !ScheduleTime.TryParse(JsonShapes.Text(schedule[ScheduleFields.Time]), out var time))
        {
            return null;
        }

        var zoneId = schedule[ScheduleFields.TimeZone] is { } own ? JsonShapes.Text(own) : userZone;
        if (zoneId is null)
        {
            return new ScheduleTiming(time, TimeZoneInfo.Utc);
        }

        return TimeZones.TryFind(zoneId, out var zone) ? new ScheduleTiming(time, zone) : null;
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) => Occurrences.Next(Time, Zone, after);
}
