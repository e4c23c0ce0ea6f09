namespace AuthApp.Domain.Schedules;

/// <summary>
/// When a schedule fires: its time of day in a time zone (<see cref="ScheduleDefinition.Timing"/> says which, for a
/// stored schedule).
/// </summary>
public readonly record struct ScheduleTiming(TimeOnly Time, TimeZoneInfo Zone)
{
    /// <summary>The first occurrence strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) => Occurrences.Next(Time, Zone, after);
}
