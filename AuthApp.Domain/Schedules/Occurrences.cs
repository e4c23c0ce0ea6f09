namespace AuthApp.Domain.Schedules;

/// <summary>When a daily schedule at a local time of day comes due, in a given time zone.</summary>
public static class Occurrences
{
    /// <summary>
    /// The first instant strictly after <paramref name="after"/> at which the local clock in
    /// <paramref name="zone"/> reads <paramref name="time"/>. On the day clocks spring forward past that
    /// time, it fires at the first instant after the gap (02:30 becomes 03:00); on the day they fall back
    /// over it, it fires once, at the earlier of the two instants.
    /// </summary>
    public static DateTimeOffset Next(TimeOnly time, TimeZoneInfo zone, DateTimeOffset after)
    {
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime);
        // Yesterday too: an instant early in a UTC day can still be a local "yesterday".
        for (var day = localDate.AddDays(-1); ; day = day.AddDays(1))
        {
            var candidate = ToInstant(day.ToDateTime(time), zone);
            if (candidate > after)
            {
                return candidate;
            }
        }
    }

    /// <summary>The most recent occurrence at or before <paramref name="at"/>.</summary>
    public static DateTimeOffset Previous(TimeOnly time, TimeZoneInfo zone, DateTimeOffset at)
    {
        var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);
        for (var day = localDate.AddDays(1); ; day = day.AddDays(-1))
        {
            var candidate = ToInstant(day.ToDateTime(time), zone);
            if (candidate <= at)
            {
                return candidate;
            }
        }
    }

    private static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            // Skipped by a spring-forward gap: move to the first valid local minute after it.
            var probe = local;
            do
            {
                probe = probe.AddMinutes(1);
            }
            while (zone.IsInvalidTime(probe));
            local = probe;
        }

        if (zone.IsAmbiguousTime(local))
        {
            // Repeated by a fall-back: the first pass is the one with the larger offset.
            var offset = zone.GetAmbiguousTimeOffsets(local).Max();
            return new DateTimeOffset(local, offset);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
