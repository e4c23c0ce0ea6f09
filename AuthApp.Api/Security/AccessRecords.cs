using System.Text.Json.Nodes;
using AuthApp.Api.Caching;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Security;

/// <summary>
/// What the API must know about a user to let an ID token through: the account still exists and is enabled, the
/// token was issued to a sign-in after the account's <c>validSince</c> (Firebase's "tokens valid after"), and
/// the record's <c>verifiedAccess</c> flag.
/// </summary>
public sealed record AccessRecord(bool Exists, bool Disabled, DateTimeOffset? ValidSince, bool VerifiedAccess)
{
    /// <summary>
    /// Compares <c>auth_time</c>, as Firebase's own <c>checkRevoked</c> does: a refreshed token keeps the sign-in's
    /// <c>auth_time</c>, so a session revoked by logout, deletion or a password change stays revoked even where
    /// refresh tokens are not revoked (the Auth emulator), while a new sign-in after it is accepted. Both have
    /// one-second resolution: a token signed in during the very second of the revocation is still accepted.
    /// </summary>
    public bool Admits(DateTimeOffset authTime) => Exists && !Disabled && (ValidSince is not { } since || authTime >= since);
}

/// <summary>
/// The access record per user, in the two-level cache under <see cref="UserCacheKeys.Access"/>: a hit is a memory read;
/// it is refreshed in the background every <see cref="CachingOptions.AccessRecordFreshness"/> / 2, evicted at once on
/// logout, deletion and writes to <c>verifiedAccess</c>. Reading it costs an Identity Toolkit lookup and one database
/// read, concurrently.
/// </summary>
public sealed class AccessRecords(UserCache cache, UserCacheEntries entries, FirebaseAuthClient auth, IFirebaseDatabase database)
{
    public async ValueTask<AccessRecord> GetAsync(string uid, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<AccessRecord>(
            UserCacheKeys.Access(uid),
            token => ReadAsync(uid, token),
            static _ => RecordSize,
            entries.Access,
            cancellationToken);

    /// <summary>The record's own object: a header, three flags and a nullable DateTimeOffset.</summary>
    private const long RecordSize = 48;

    private async Task<AccessRecord> ReadAsync(string uid, CancellationToken cancellationToken)
    {
        var account = LookUpAsync(uid, cancellationToken);
        var flag = database.GetAsync(UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        await Task.WhenAll(account, flag);
        var user = await account;
        return new AccessRecord(
            Exists: user is not null,
            Disabled: user?.Disabled == true,
            ValidSince: user?.ValidSince,
            VerifiedAccess: await flag is JsonValue value && value.TryGetValue(out bool granted) && granted);
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
