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
    /// The entries a write at <paramref name="path"/> (inside <c>users/{uid}</c>) makes stale: the cached reads for
    /// any write in the record; the access record only when the write covers <c>verifiedAccess</c> (so that a
    /// device write does not cost the next request an account lookup); the device names unless the write only sets
    /// one device's value. A write that sets a value can add a name but never take one away, and a name missing
    /// from the entry is looked up in the database: only removals (<paramref name="removes"/>) and writes that
    /// replace a venue or more can make the entry wrong.
    /// </summary>
    public static IReadOnlyList<string> AffectedBy(string uid, string path, bool removes)
    {
        var record = UserPaths.User(uid);
        var rest = path.Trim('/').Length > record.Length ? path.Trim('/')[(record.Length + 1)..] : "";
        if (rest.Length == 0 || rest == UserFields.VerifiedAccess || rest.StartsWith(UserFields.VerifiedAccess + "/", StringComparison.Ordinal))
        {
            return All(uid);
        }

        return ChangesDeviceNames(rest, removes) ? [Profile(uid), Schedules(uid), DeviceNames(uid)] : [Profile(uid), Schedules(uid)];
    }

    /// <summary>True unless <paramref name="rest"/> is outside <c>venues</c> or a value set at <c>venues/{venue}/{child}</c>.</summary>
    private static bool ChangesDeviceNames(string rest, bool removes)
    {
        if (rest != UserFields.Venues && !rest.StartsWith(UserFields.Venues + "/", StringComparison.Ordinal))
        {
            return false;
        }

        var depth = rest.Count(character => character == '/');
        return removes || depth != 2;
    }

    private static string Key(string uid, string kind) => $"user:{uid}:{kind}";
}
