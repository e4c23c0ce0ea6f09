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

    /// <summary>Everything cached about the user (logout, account deletion).</summary>
    public static IReadOnlyList<string> All(string uid) => [Access(uid), Profile(uid), Schedules(uid)];

    /// <summary>
    /// The entries a write at <paramref name="path"/> (inside <c>users/{uid}</c>) makes stale: the cached reads for
    /// any write in the record, and the access record only when the write covers <c>verifiedAccess</c> (so that a
    /// device write does not cost the next request an account lookup).
    /// </summary>
    public static IReadOnlyList<string> AffectedBy(string uid, string path)
    {
        var record = UserPaths.User(uid);
        var rest = path.Trim('/').Length > record.Length ? path.Trim('/')[(record.Length + 1)..] : "";
        var coversAccess = rest.Length == 0 || rest == UserFields.VerifiedAccess || rest.StartsWith(UserFields.VerifiedAccess + "/", StringComparison.Ordinal);
        return coversAccess ? All(uid) : [Profile(uid), Schedules(uid)];
    }

    private static string Key(string uid, string kind) => $"user:{uid}:{kind}";
}
