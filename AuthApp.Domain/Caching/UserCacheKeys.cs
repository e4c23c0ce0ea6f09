using AuthApp.Domain.Users;

namespace AuthApp.Domain.Caching;

/// <summary>
/// Every cache entry kept about a user, in one place. Keys name the user (never a URL or a <c>Host</c>):
/// <c>user:{uid}:{kind}</c>, where the kind never holds a colon, so two users' keys cannot meet.
/// </summary>
public static class UserCacheKeys
{
    /// <summary>What the access checks read: <c>verifiedAccess</c> and the account's revocation state.</summary>
    public static string Access(string uid) => Key(uid, "access");

    /// <summary>The serialized <c>GET /auth/profile</c> answer.</summary>
    public static string Profile(string uid) => Key(uid, "profile");

    /// <summary>The serialized <c>GET /auth/get_schedules</c> answer.</summary>
    public static string Schedules(string uid) => Key(uid, "schedules");

    /// <summary>The names of the user's venues and their devices (what <c>device_state</c> checks before writing).</summary>
    public static string DeviceNames(string uid) => Key(uid, "devices");

    /// <summary>Everything cached about the user (logout, account deletion).</summary>
    public static IReadOnlyList<string> All(string uid) => [Access(uid), Profile(uid), Schedules(uid), DeviceNames(uid)];

    /// <summary>
    /// The entries a write at <paramref name="path"/> (inside <c>users/{uid}</c>) makes stale, judged by the child of
    /// the record it is under: the profile for its fields (<see cref="UserRecords.ProfileFields"/>), the schedules for
    /// <c>schedules</c>, the access record for <c>verifiedAccess</c>, <c>revokedBefore</c> and <c>revokedTokens</c> (and
    /// nothing else, so that a device write does not cost the next request an account lookup), the device names for <c>venues</c> unless the write only sets one device's value.
    /// A write that sets a value can add a name but never take one away, and a name missing from the entry is looked
    /// up in the database: only removals (<paramref name="removes"/>) and writes that replace a venue or more can make
    /// the names wrong. A write of the whole record affects everything.
    /// </summary>
    public static IReadOnlyList<string> AffectedBy(string uid, string path, bool removes)
    {
        var record = UserPaths.User(uid);
        var rest = path.Trim('/').Length > record.Length ? path.Trim('/')[(record.Length + 1)..] : "";
        if (rest.Length == 0)
        {
            return All(uid);
        }

        var slash = rest.IndexOf('/');
        var field = slash < 0 ? rest : rest[..slash];
        var keys = new List<string>(2);
        if (field is UserFields.VerifiedAccess or UserFields.RevokedBefore or UserFields.RevokedTokens)
        {
            keys.Add(Access(uid));
        }

        if (UserRecords.ProfileFields.Contains(field))
        {
            keys.Add(Profile(uid));
        }

        if (field == UserFields.Schedules)
        {
            keys.Add(Schedules(uid));
        }

        if (field == UserFields.Venues && ChangesDeviceNames(rest, removes))
        {
            keys.Add(DeviceNames(uid));
        }

        return keys;
    }

    /// <summary>False only for a value set at <c>venues/{venue}/{child}</c>.</summary>
    private static bool ChangesDeviceNames(string rest, bool removes)
    {
        var depth = rest.Count(character => character == '/');
        return removes || depth != 2;
    }

    private static string Key(string uid, string kind) => $"user:{uid}:{kind}";
}
