namespace AuthApp.Api.Users;

/// <summary>
/// The Realtime Database layout of a user, as the original backend and its mobile clients know it:
/// <c>users/{uid}</c> with <c>email, name, verifiedAccess, accessKey, fcmToken, timeZone, venues/,
/// schedules/, monitoring_venues/, secure/gemini_key</c>. Keys are validated by the database client.
/// </summary>
public static class UserPaths
{
    public static string User(string uid) => $"users/{uid}";

    public static string VerifiedAccess(string uid) => $"users/{uid}/verifiedAccess";

    public static string FcmToken(string uid) => $"users/{uid}/fcmToken";

    public static string TimeZone(string uid) => $"users/{uid}/timeZone";

    public static string Venues(string uid) => $"users/{uid}/venues";

    public static string Venue(string uid, string venue) => $"users/{uid}/venues/{venue}";

    public static string Device(string uid, string venue, string device) => $"users/{uid}/venues/{venue}/{device}";

    public static string Schedules(string uid) => $"users/{uid}/schedules";

    public static string Schedule(string uid, string venue, string device) => $"users/{uid}/schedules/{venue}/{device}";

    public static string Monitoring(string uid) => $"users/{uid}/monitoring_venues";

    public static string MonitoringVenue(string uid, string venue) => $"users/{uid}/monitoring_venues/{venue}";

    /// <summary>Server-only: the rules give clients no access to <c>secure/</c>.</summary>
    public static string GeminiKey(string uid) => $"users/{uid}/secure/gemini_key";
}

/// <summary>Children of a venue that are not devices.</summary>
public static class VenueFields
{
    /// <summary>Marks a venue that exists but has no devices yet (the database drops empty objects).</summary>
    public const string Created = "__created";

    /// <summary>The fault text sensors report for the venue.</summary>
    public const string Faults = "faults";

    public static bool IsReserved(string name) => name is Created or Faults;
}
