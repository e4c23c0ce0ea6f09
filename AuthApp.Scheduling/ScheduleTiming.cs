using System.Text.Json.Nodes;

namespace AuthApp.Scheduling;

/// <summary>
/// When a stored schedule (<c>users/{uid}/schedules/{venue}/{device}</c>) fires: its time of day in its
/// own time zone, else the user's, else UTC. The API, the runner and the index rebuild all read a
/// schedule through this, so they agree on what counts as enabled and readable.
/// </summary>
public readonly record struct ScheduleTiming(TimeOnly Time, TimeZoneInfo Zone)
{
    /// <summary>The timing of an enabled schedule with a readable time; <c>null</c> otherwise.</summary>
    public static ScheduleTiming? Of(JsonObject schedule, string? userZone)
    {
        if (Text(schedule["status"]) != "enable" || !ScheduleTime.TryParse(Text(schedule["time"]), out var time))
        {
            return null;
        }

        return new ScheduleTiming(time, TimeZones.Resolve(Text(schedule["timeZone"]), userZone));
    }

    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) => Occurrences.Next(Time, Zone, after);

    // Clients write these children straight into the database too: read any JSON value as text, never throw.
    private static string? Text(JsonNode? node) => node is JsonValue value ? value.ToString() : null;
}
