namespace AuthApp.Scheduling;

/// <summary>IANA time zones of users and schedules; UTC when none is set.</summary>
public static class TimeZones
{
    public static bool TryFind(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return false;
        }

        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (TimeZoneNotFoundException)
        {
            return false;
        }
        catch (InvalidTimeZoneException)
        {
            return false;
        }
    }

    /// <summary>The schedule's own zone, else the user's, else UTC.</summary>
    public static TimeZoneInfo Resolve(string? scheduleZone, string? userZone) =>
        TryFind(scheduleZone, out var zone) || TryFind(userZone, out zone) ? zone : TimeZoneInfo.Utc;
}
