using System.Text.Json.Nodes;
using AuthApp.Api.Caching;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Security;

/// <summary>
/// What the API must know about a user to let an ID token through: the account still exists and is enabled, the
/// token was issued to a sign-in after the account's <c>validSince</c> (Firebase's "tokens valid after") and after
/// <c>revokedBefore</c> (the same instant as the database rules see it), the token is not one of the
/// <c>revokedTokens</c>, and the record's <c>verifiedAccess</c> flag.
/// </summary>
/// <param name="RevokedBefore">The last logout or deletion, from <c>users/{uid}/revokedBefore</c>; null when none (or unreadable).</param>
/// <param name="RevokedTokens">SHA-256 (hex) of the ID tokens refused on their own until they expire; null or empty when none.</param>
public sealed record AccessRecord(
    bool Exists,
    bool Disabled,
    DateTimeOffset? ValidSince,
    bool VerifiedAccess,
    DateTimeOffset? RevokedBefore = null,
    IReadOnlyList<string>? RevokedTokens = null)
{
    /// <summary>
    /// Compares <c>auth_time</c>, as Firebase's own <c>checkRevoked</c> does: a refreshed token keeps the sign-in's
    /// <c>auth_time</c>, so a session revoked by logout, deletion or a password change stays revoked even where
    /// refresh tokens are not revoked (the Auth emulator), while a new sign-in after it is accepted. Both times have
    /// one-second resolution, so a token signed in during the very second of a logout would pass; the logout lists
    /// that token (the one it was called with) in <see cref="RevokedTokens"/>. Its hash is computed only when the
    /// user has such a list, which is rare and short (entries go once their token expires).
    /// </summary>
    /// <param name="idToken">The token the request presented; null refuses the request when the user has revoked tokens.</param>
    public bool Admits(DateTimeOffset authTime, string? idToken) =>
        AdmitsSession(authTime) && !IsListed(() => idToken is null ? null : PresentedToken.HashOf(idToken));

    /// <summary>As <see cref="Admits"/>, for a token known only by its hash (a live stream keeps the hash, never the token).</summary>
    public bool AdmitsTokenHash(DateTimeOffset authTime, string? tokenHash) =>
        AdmitsSession(authTime) && !IsListed(() => tokenHash);

    private bool AdmitsSession(DateTimeOffset authTime) =>
        Exists
        && !Disabled
        && (ValidSince is not { } since || authTime >= since)
        && (RevokedBefore is not { } revoked || authTime >= revoked);

    private bool IsListed(Func<string?> tokenHash) =>
        RevokedTokens is { Count: > 0 } listed && (tokenHash() is not { } hash || listed.Contains(hash, StringComparer.Ordinal));
}

/// <summary>
/// The access record per user, in the two-level cache under <see cref="UserCacheKeys.Access"/>: a hit is a memory read;
/// it is refreshed in the background every <see cref="CachingOptions.AccessRecordFreshness"/> / 2, evicted at once on
/// logout, deletion and writes to <c>verifiedAccess</c>, <c>revokedBefore</c> and <c>revokedTokens</c>. Reading it
/// costs an Identity Toolkit lookup and two database reads, concurrently.
/// </summary>
public sealed class AccessRecords(UserCache cache, UserCacheEntries entries, FirebaseAuthClient auth, IFirebaseDatabase database)
{
    /// <summary>
    /// A query on <c>users/{uid}</c> that returns only <c>revokedBefore</c> and <c>revokedTokens</c>, in one read: the
    /// two are adjacent in the database's key order and no other field of the layout sorts between them (a key range
    /// needs no index).
    /// </summary>
    private static readonly DatabaseQuery RevocationFields =
        DatabaseQuery.OrderByKey() with { StartAt = UserFields.RevokedBefore, EndAt = UserFields.RevokedTokens };

    public async ValueTask<AccessRecord> GetAsync(string uid, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<AccessRecord>(
            UserCacheKeys.Access(uid),
            token => ReadAsync(uid, token),
            static _ => RecordSize,
            entries.Access,
            cancellationToken);

    /// <summary>The record's own object: a header, three flags and a nullable DateTimeOffset.</summary>
    private const long RecordSize = 48;

    /// <summary>
    /// The record as Auth and the database hold it now, past the cache: for a decision that must not act on a record
    /// another replica has just made stale (a live stream told that the user's revocation fields changed).
    /// </summary>
    public Task<AccessRecord> ReadCurrentAsync(string uid, CancellationToken cancellationToken) => ReadAsync(uid, cancellationToken);

    private async Task<AccessRecord> ReadAsync(string uid, CancellationToken cancellationToken)
    {
        var account = LookUpAsync(uid, cancellationToken);
        var flag = database.GetAsync(UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        var revocation = database.GetAsync(UserPaths.User(uid), RevocationFields, cancellationToken);
        await Task.WhenAll(account, flag, revocation);
        var user = await account;
        var (revokedBefore, revokedTokens) = ReadRevocation(await revocation);
        return new AccessRecord(
            Exists: user is not null,
            Disabled: user?.Disabled == true,
            ValidSince: user?.ValidSince,
            VerifiedAccess: JsonShapes.IsTrue(await flag),
            RevokedBefore: revokedBefore,
            RevokedTokens: revokedTokens);
    }

    /// <summary>
    /// <c>revokedBefore</c> and the hashes under <c>revokedTokens</c>, from whatever shape the database holds (both are
    /// server-written, but a read never throws on data): a <c>revokedBefore</c> that is not a whole number of seconds
    /// from 1970 to 9999 is ignored, as is a key under <c>revokedTokens</c> that is not a SHA-256 in hex. A listed hash
    /// is refused whatever its value; the value (<c>exp</c>) only tells logout when to prune it.
    /// </summary>
    internal static (DateTimeOffset? RevokedBefore, IReadOnlyList<string> RevokedTokens) ReadRevocation(JsonNode? node)
    {
        var fields = JsonShapes.AsObject(node);
        if (fields is null)
        {
            return (null, []);
        }

        var revokedBefore = JsonShapes.UnixSeconds(fields[UserFields.RevokedBefore], DateTimeOffset.MaxValue) is { HasValue: true } read
            ? read.Value
            : (DateTimeOffset?)null;
        var revokedTokens = JsonShapes.AsObject(fields[UserFields.RevokedTokens]) is { } listed
            ? listed.Select(entry => entry.Key).Where(PresentedToken.IsHash).ToArray()
            : [];
        return (revokedBefore, revokedTokens);
    }

    private async Task<UserRecord?> LookUpAsync(string uid, CancellationToken cancellationToken)
    {
        try
        {
            return await auth.GetUserAsync(uid, cancellationToken);
        }
        catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.UserNotFound)
        {
            return null;
        }
    }
}
