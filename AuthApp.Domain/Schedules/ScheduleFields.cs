namespace AuthApp.Domain.Schedules;

/// <summary>The children of a stored schedule, <c>users/{uid}/schedules/{venue}/{device}</c>.</summary>
public static class ScheduleFields
{
    public const string Time = "time";
    public const string Action = "action";
    public const string Status = "status";
    public const string TimeZone = "timeZone";
    public const string LastNotified = "lastNotified";

    public const string Enabled = "enable";
    public const string Disabled = "disable";
}
