namespace AuthApp.Domain.Users;

/// <summary>
/// How much one user may store. The API refuses a write past a limit with a 400 naming it, and
/// <c>firebase/database.rules.json</c> holds the same per-value limits for what clients write directly
/// (the rules cannot count children, so the counts are the API's alone). Together they bound a record:
/// at most <see cref="MaxVenues"/> x <see cref="MaxDevicesPerVenue"/> devices, each with at most one schedule.
/// </summary>
public static class UserDataLimits
{
    /// <summary>Venue, device and sensor names, in characters (and always a valid database key).</summary>
    public const int MaxNameLength = 100;

    public const int MaxVenues = 30;

    public const int MaxDevicesPerVenue = 50;

    /// <summary>One schedule per device at most; this caps the total across venues.</summary>
    public const int MaxSchedules = 500;

    public const int MaxMonitoringVenues = 20;

    public const int MaxSensorsPerVenue = 50;

    /// <summary>The display name given at signup.</summary>
    public const int MaxDisplayNameLength = 100;

    /// <summary>An e-mail address (RFC 5321's limit): what is read back from the record.</summary>
    public const int MaxEmailLength = 320;

    public const int MaxTimeZoneLength = 64;

    public const int MaxFcmTokenLength = 4096;

    /// <summary>
    /// The most the API reads of one of a user's subtrees (venues, schedules, monitoring) to serve it. Clients
    /// write these subtrees directly too; a larger one is refused (and never cached) rather than served.
    /// </summary>
    public const int MaxSubtreeBytes = 512 * 1024;
}
