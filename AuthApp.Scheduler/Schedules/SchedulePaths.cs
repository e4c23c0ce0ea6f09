namespace AuthApp.Scheduler.Schedules;

/// <summary>The parts of <c>users/{uid}</c> the worker reads and writes (the API's layout).</summary>
internal static class SchedulePaths
{
    public const string Users = "users";

    public static string User(string uid) => $"users/{uid}";

    public static string Schedules(string uid) => $"users/{uid}/schedules";

    public static string Schedule(string uid, string venue, string device) => $"users/{uid}/schedules/{venue}/{device}";

    public static string Device(string uid, string venue, string device) => $"users/{uid}/venues/{venue}/{device}";

    public static string TimeZone(string uid) => $"users/{uid}/timeZone";

    public static string FcmToken(string uid) => $"users/{uid}/fcmToken";

    /// <summary>Relative to <see cref="User"/>, for a multi-path update.</summary>
    public static string RelativeDevice(string venue, string device) => $"venues/{venue}/{device}";

    /// <summary>Relative to <see cref="User"/>, for a multi-path update.</summary>
    public static string RelativeLastNotified(string venue, string device) => $"schedules/{venue}/{device}/lastNotified";
}
