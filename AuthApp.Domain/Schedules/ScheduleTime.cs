using System.Globalization;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// The time of day a schedule fires, as the mobile clients store it: <c>"07:30 AM"</c> (12-hour, the
/// original's format) or <c>"19:30"</c> (24-hour).
/// </summary>
public static class ScheduleTime
{
    private static readonly string[] Formats = ["hh:mm tt", "h:mm tt", "hh:mmtt", "h:mmtt", "HH:mm", "H:mm"];

    public static bool TryParse(string? text, out TimeOnly time) =>
        TimeOnly.TryParseExact(text?.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
}
