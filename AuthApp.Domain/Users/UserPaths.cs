using AuthApp.Domain.Schedules;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Users;

/// <summary>
/// The Realtime Database layout of a user, as the original backend and its mobile clients know it, and the
/// only place it is written down. Every path is built from segments, and each segment is checked as one
/// database key: a uid, venue, device or sensor can never hold a <c>/</c> and so never reach another
/// subtree (<see cref="DatabaseKeyException"/> otherwise).
/// <code>
/// users/{uid}
///   email, name, verifiedAccess, accessKey, fcmToken, timeZone, lastFaultNotification,
///   revokedBefore, revokedTokens/{sha256}: exp   (server only)
///   venues/{venue}:             { "__created": true, {device}: "on"|"off"|"1".."5", faults: text }
///   schedules/{venue}/{device}: { time, action, status, timeZone?, lastNotified }
///   monitoring_venues/{venue}/{sensor}: reading
///   secure/gemini_key           (server only)
/// licenseKeys/{key}             (server only)
/// </code>
/// </summary>
public static class UserPaths
{
    public const string Users = "users";

    /// <summary>
    /// The database root, for one multi-path update across users (admin writes are atomic across paths): its keys
    /// are full paths such as <see cref="Device"/> and <see cref="LastNotified"/>, so the owner of every change
    /// stays visible (<see cref="OwnerOf"/>).
    /// </summary>
    public const string Root = "";

    public static string User(string uid) => Join(Users, uid);

    public static string Field(string uid, string field) => Join(Users, uid, field);

    public static string Venues(string uid) => Field(uid, UserFields.Venues);

    public static string Venue(string uid, string venue) => Join(Users, uid, UserFields.Venues, venue);

    public static string Device(string uid, string venue, string device) => Join(Users, uid, UserFields.Venues, venue, device);

    public static string VenueFaults(string uid, string venue) => Join(Users, uid, UserFields.Venues, venue, VenueFields.Faults);

    public static string Schedules(string uid) => Field(uid, UserFields.Schedules);

    public static string VenueSchedules(string uid, string venue) => Join(Users, uid, UserFields.Schedules, venue);

    public static string Schedule(string uid, string venue, string device) => Join(Users, uid, UserFields.Schedules, venue, device);

    /// <summary>
    /// A query on <see cref="User"/> that returns only its <c>timeZone</c> and <c>venues</c>, in one read: the two are
    /// adjacent in the database's key order and no other field of the layout sorts between them (a key range needs no
    /// index). What a due schedule needs besides its own definition.
    /// </summary>
    public static DatabaseQuery TimeZoneAndVenues { get; } =
        DatabaseQuery.OrderByKey() with { StartAt = UserFields.TimeZone, EndAt = UserFields.Venues };

    public static string LastNotified(string uid, string venue, string device) =>
        Join(Users, uid, UserFields.Schedules, venue, device, ScheduleFields.LastNotified);

    public static string Monitoring(string uid) => Field(uid, UserFields.Monitoring);

    public static string MonitoringVenue(string uid, string venue) => Join(Users, uid, UserFields.Monitoring, venue);

    /// <summary>Server-only: the rules give clients no access to <c>secure/</c>.</summary>
    public static string GeminiKey(string uid) => Join(Users, uid, UserFields.Secure, "gemini_key");

    /// <summary>Paths relative to <see cref="User"/>, for one multi-path update of a user's record.</summary>
    public static class Relative
    {
        public static string Venue(string venue) => Join(UserFields.Venues, venue);

        public static string VenueMarker(string venue) => Join(UserFields.Venues, venue, VenueFields.Created);

        public static string Device(string venue, string device) => Join(UserFields.Venues, venue, device);

        public static string VenueSchedules(string venue) => Join(UserFields.Schedules, venue);

        public static string Schedule(string venue, string device) => Join(UserFields.Schedules, venue, device);

        public static string LastNotified(string venue, string device) =>
            Join(UserFields.Schedules, venue, device, ScheduleFields.LastNotified);
    }

    /// <summary>
    /// Splits <c>users/{uid}/...</c> into the uid and the rest (null when <paramref name="path"/> is not inside
    /// one user's record), so that a write anywhere can be traced back to the user it changed.
    /// </summary>
    public static string? OwnerOf(string path)
    {
        var trimmed = path.AsSpan().Trim('/');
        if (!trimmed.StartsWith(Users + "/", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = trimmed[(Users.Length + 1)..];
        var end = rest.IndexOf('/');
        var uid = end < 0 ? rest : rest[..end];
        return uid.IsEmpty ? null : uid.ToString();
    }

    /// <summary>
    /// The part of <paramref name="path"/> (inside <paramref name="uid"/>'s record, see <see cref="OwnerOf"/>) below
    /// <c>users/{uid}</c>: <c>venues/kitchen/lamp</c>, or <c>""</c> for the record itself.
    /// </summary>
    public static string RelativeToUser(string uid, string path)
    {
        var trimmed = path.Trim('/');
        var record = Users + "/" + uid;
        return trimmed.Length > record.Length ? trimmed[(record.Length + 1)..] : "";
    }

    private static string Join(params ReadOnlySpan<string> segments)
    {
        foreach (var segment in segments)
        {
            DatabasePath.ValidateKey(segment, nameof(segments));
        }

        return string.Join('/', segments);
    }
}

/// <summary>The children of <c>users/{uid}</c>.</summary>
public static class UserFields
{
    public const string Email = "email";
    public const string Name = "name";
    public const string VerifiedAccess = "verifiedAccess";
    public const string AccessKey = "accessKey";
    public const string FcmToken = "fcmToken";
    public const string TimeZone = "timeZone";
    public const string LastFaultNotification = "lastFaultNotification";

    /// <summary>
    /// Server only: epoch seconds of the user's last revocation (logout, account deletion), mirroring Firebase's
    /// <c>validSince</c> where the database rules can read it; ID tokens signed in (<c>auth_time</c>) before it are
    /// refused at the database as they are by the API.
    /// </summary>
    public const string RevokedBefore = "revokedBefore";

    /// <summary>Server only: SHA-256 (hex) of individual ID tokens the API refuses until they expire, each with its <c>exp</c>.</summary>
    public const string RevokedTokens = "revokedTokens";
    public const string Venues = "venues";
    public const string Schedules = "schedules";
    public const string Monitoring = "monitoring_venues";
    public const string Secure = "secure";
}

/// <summary>Children of a venue that are not devices.</summary>
public static class VenueFields
{
    /// <summary>Marks a venue that exists but has no devices yet (the database drops empty objects). Never shown to clients.</summary>
    public const string Created = "__created";

    /// <summary>The fault text sensors report for the venue.</summary>
    public const string Faults = "faults";

    public static bool IsReserved(string name) => name is Created or Faults;
}
