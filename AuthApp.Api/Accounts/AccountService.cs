using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Domain.Caching;
using AuthApp.Api.Logging;
using AuthApp.Api.Schedules;
using AuthApp.Api.Security;
using AuthApp.Api.Users;
using AuthApp.Firebase;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Redis;
using AuthApp.WorkQueue;

namespace AuthApp.Api.Accounts;

/// <summary>Accounts: sign-in, sessions, the profile and its settings, and account removal (signup is <see cref="SignupService"/>).</summary>
public sealed partial class AccountService(
    FirebaseAuthClient auth,
    IFirebaseDatabase database,
    UserRecords records,
    ScheduleService schedules,
    UserCache userCache,
    IWorkQueue queue,
    TimeProvider clock,
    ILogger<AccountService> logger)
{
    /// <summary>The longest a Firebase ID token lives: how long a token whose <c>exp</c> cannot be read stays listed.</summary>
    private static readonly TimeSpan MaxIdTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>Identity Toolkit's sign-in body, unchanged: the original returned it as is.</summary>
    public async Task<JsonElement> SignInAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await auth.SignInWithPasswordAsync(request.Email!.Trim(), request.Password!, cancellationToken);
            return result.RawBody;
        }
        catch (FirebaseAuthException exception)
        {
            LogSignInRefused(logger, Redact.Email(request.Email), exception.Code);
            throw;
        }
    }

    public async Task<RefreshResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        var result = await auth.RefreshAsync(request.RefreshToken!, cancellationToken);
        return new RefreshResponse(result.IdToken, result.RefreshToken,
            ((long)result.ExpiresIn.TotalSeconds).ToString(CultureInfo.InvariantCulture));
    }

    public Task<UserProfile> GetProfileAsync(string uid, CancellationToken cancellationToken) =>
        records.ReadProfileAsync(uid, cancellationToken);

    public async Task SaveFcmTokenAsync(string uid, string token, CancellationToken cancellationToken)
    {
        await database.SetAsync(UserPaths.Field(uid, UserFields.FcmToken), JsonValue.Create(token), cancellationToken);
    }

    /// <summary>
    /// Sets the user's time zone and re-times their schedules in the index. Finishes or undoes: when the index
    /// cannot be updated, the stored zone goes back to the old one (the schedules still fire at its times) and the
    /// answer is 503.
    /// </summary>
    public async Task SetTimeZoneAsync(string uid, string timeZone, CancellationToken cancellationToken)
    {
        if (!TimeZones.IsValid(timeZone))
        {
            throw FieldErrors.InvalidTimeZone();
        }

        var path = UserPaths.Field(uid, UserFields.TimeZone);
        var previous = await records.ReadTimeZoneAsync(uid, cancellationToken);
        await database.SetAsync(path, JsonValue.Create(timeZone), cancellationToken);
        try
        {
            await schedules.ReindexUserAsync(uid, cancellationToken);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            await Undo.BestEffortAsync(logger, "time zone", async () =>
            {
                await database.SetAsync(path, previous?.DeepClone(), CancellationToken.None);
                await schedules.ReindexUserAsync(uid, CancellationToken.None);
            });
            throw Undo.Unavailable("The time zone was not changed");
        }

    }

    /// <summary>
    /// Signs the user out everywhere: every ID token signed in before now stops working at the API and at the database,
    /// <paramref name="idToken"/> (the one the request presented) stops working too even if it was signed in during
    /// this very second, and every refresh token stops working.
    /// </summary>
    /// <remarks>
    /// The database comes first, in one multi-path update: <c>revokedBefore</c> = now in epoch seconds (floored, as
    /// Firebase's <c>validSince</c>), which the rules and the access record compare with each token's sign-in, and the
    /// presented token's SHA-256 under <c>revokedTokens</c> with its <c>exp</c> (entries whose token has expired are
    /// pruned in the same update). Once that write is done the old session is dead wherever tokens are checked, even
    /// if revoking the refresh tokens in Auth then fails: a token refreshed from them keeps the old <c>auth_time</c>,
    /// so it is refused too. The write also evicts the access record on every replica (see
    /// <see cref="UserCacheKeys.AffectedBy"/>). A failure before it changes nothing, and the client may retry; after
    /// it, the old token is already refused, which is what logging out was for.
    /// </remarks>
    public async Task LogOutAsync(string uid, string idToken, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var nowSeconds = now.ToUnixTimeSeconds();
        var expires = (expiresAt ?? now + MaxIdTokenLifetime).ToUnixTimeSeconds();
        var updates = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [UserFields.RevokedBefore] = nowSeconds,
        };
        foreach (var (hash, exp) in JsonShapes.AsObject(await database.GetAsync(UserPaths.Field(uid, UserFields.RevokedTokens), cancellationToken: cancellationToken)) ?? [])
        {
            if (!PresentedToken.IsHash(hash) || JsonShapes.Integer(exp) is not { } seconds || seconds <= nowSeconds)
            {
                updates[RevokedToken(hash)] = null;
            }
        }

        if (expires > nowSeconds)
        {
            updates[RevokedToken(PresentedToken.HashOf(idToken))] = expires;
        }

        await database.UpdateAsync(UserPaths.User(uid), updates, cancellationToken);
        await auth.RevokeRefreshTokensAsync(uid, cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    /// <summary>A key under <c>revokedTokens</c>, relative to the user's record (a key read from the database is a valid key).</summary>
    private static string RevokedToken(string hash) => $"{UserFields.RevokedTokens}/{hash}";

    /// <summary>
    /// Queues the reset e-mail (the worker sends it, and says nothing when the account does not exist);
    /// the answer is the same either way (no account probing).
    /// </summary>
    public Task RequestPasswordResetAsync(string email, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(new AccountEmailJob(AccountEmailKind.PasswordReset, email.Trim()), cancellationToken);

    public Task RequestEmailVerificationAsync(string idToken, CancellationToken cancellationToken) =>
        auth.SendEmailVerificationAsync(idToken, cancellationToken);

    /// <summary>
    /// Deletes the account and all of the user's data. The clean-up job (<see cref="AccountCleanupJob"/>: the Firebase
    /// user, the index entries, the data, each step idempotent) is queued durably: once it is accepted the deletion
    /// finishes whatever happens to this request. The same steps then run here at once so that the account's tokens
    /// stop now; a step that fails here is left to the job.
    /// </summary>
    /// <remarks>
    /// Before the job is queued, the record loses the license and gets <c>revokedBefore</c> = now in one update: an ID
    /// token stays valid for up to an hour after its account is deleted, and the database rules know nothing of Auth, so
    /// this is what stops the old tokens from writing the tree back. Before, not after: the job deletes the record, and
    /// a write landing after that deletion would leave part of the record behind. If the job cannot be queued, the two
    /// fields get their old values back (the account stays as it was) and the answer is 503.
    /// </remarks>
    public async Task DeleteAccountAsync(string uid, CancellationToken cancellationToken)
    {
        var licensed = records.ReadFieldAsync(uid, UserFields.VerifiedAccess, cancellationToken);
        var revokedBefore = records.ReadFieldAsync(uid, UserFields.RevokedBefore, cancellationToken);
        var previous = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [UserFields.VerifiedAccess] = (await licensed)?.DeepClone(),
            [UserFields.RevokedBefore] = (await revokedBefore)?.DeepClone(),
        };
        await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [UserFields.VerifiedAccess] = false,
            [UserFields.RevokedBefore] = clock.GetUtcNow().ToUnixTimeSeconds(),
        }, cancellationToken);
        try
        {
            await queue.EnqueueAsync(new AccountCleanupJob(uid), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await Undo.BestEffortAsync(logger, "account deletion", () => database.UpdateAsync(UserPaths.User(uid), previous, CancellationToken.None));
            throw;
        }

        try
        {
            await auth.DeleteUserAsync(uid, CancellationToken.None);
        }
        catch (FirebaseAuthException exception) when (exception.Code == AuthErrorCode.UserNotFound)
        {
        }
        catch (FirebaseException exception)
        {
            LogDeletionLeftToJob(logger, uid, exception.GetType().Name);
        }

        try
        {
            await schedules.RemoveUserAsync(uid);
            await userCache.EvictAsync(uid, CancellationToken.None);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            LogDeletionLeftToJob(logger, uid, exception.GetType().Name);
        }

        LogDeleted(logger, uid);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in refused for {Email}: {Reason}")]
    private static partial void LogSignInRefused(ILogger logger, string email, AuthErrorCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} deleted; data clean-up queued")]
    private static partial void LogDeleted(ILogger logger, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting account {Uid}: a step failed here ({ErrorType}); the queued clean-up job finishes it")]
    private static partial void LogDeletionLeftToJob(ILogger logger, string uid, string errorType);
}
