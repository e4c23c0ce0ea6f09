namespace AuthApp.Tests.Scheduling;

/// <summary>A whole UTC minute for a schedule to fire at, far enough ahead for the test's set-up to finish first.</summary>
internal static class UpcomingMinute
{
    /// <summary>The next whole minute at least <paramref name="lead"/> away, as "HH:mm", and its instant.</summary>
    public static (string Time, DateTimeOffset At) After(TimeSpan lead)
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        while (at - now < lead)
        {
            at = at.AddMinutes(1);
        }

        return (at.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), at);
    }
}
