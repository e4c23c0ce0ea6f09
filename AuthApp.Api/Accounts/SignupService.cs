using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Api.Logging;
using AuthApp.Domain.Licenses;
using AuthApp.Domain.Users;
using AuthApp.Firebase;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Accounts;

/// <summary>
/// Signup with a license key. A request is one attempt, with its own random id; whatever the interleaving of
/// attempts (the same e-mail or others, right or wrong passwords, Auth or the database failing at any step), a key
/// ends up licensing at most one account, and a retry of the same request (same e-mail, password and key) reaches
/// the same end as an attempt that nothing disturbed:
/// <list type="number">
/// <item>the attempt holds the key for its e-mail (<see cref="LicenseKeys.ReserveAsync"/>; attempts for the same
/// e-mail share the hold, each with its own share; another e-mail is refused 403 while it lasts);</item>
/// <item>the Firebase account is created, or found when an earlier attempt created it, or when Auth timed out after
/// creating it (the password proves it is the caller's);</item>
/// <item>the key is claimed for the account (<see cref="LicenseKeys.ClaimAsync"/>): a transaction that succeeds only
/// while this attempt still holds the key, or when the key is already used by this very account. This is the commit
/// point: <c>usedBy</c> is written once;</item>
/// <item>the user's record, with <c>verifiedAccess: true</c>, is written, only for the account the key is used by.</item>
/// </list>
/// Before the claim, a failure takes back this attempt's share of the hold and nothing else: a failing signup
/// (a wrong password, Auth down) never frees the key under a running signup for the same e-mail. An account the
/// attempt created is left as it is, unlicensed (it has no record): a concurrent attempt for the same e-mail may be
/// finishing with it, and the owner's next signup finds it and goes on. After the claim, the signup only rolls
/// forward: if the record cannot be written the answer is 503, and the retry, finding the key used by its own
/// account (the password proves it), writes the missing record. A signup retried after it finished answers the
/// same uid. When a step's outcome is unknown (an answer lost), both ends are covered: giving back a share is a
/// no-op once the key is claimed, and the retry finds either the claim or a free key.
/// </summary>
public sealed partial class SignupService(
    FirebaseAuthClient auth,
    IFirebaseDatabase database,
    LicenseKeys licenses,
    ILogger<SignupService> logger)
{
    private static readonly AppError InvalidLicense = AppError.Forbidden(ProblemCodes.InvalidLicense, "Invalid or already used license key.");

    private static readonly AppError EmailTaken = AppExceptionHandler.FromAuth(AuthErrorCode.EmailExists);

    public async Task<SignupResponse> SignUpAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        // The original answers a missing license key like a wrong one, and its clients show that 403 as "invalid license".
        if (string.IsNullOrWhiteSpace(request.AccessToken))
        {
            throw InvalidLicense;
        }

        try
        {
            return await SignUpAttemptAsync(request.Email!.Trim(), request.Password!, request.Name!.Trim(), request.AccessToken.Trim(), cancellationToken);
        }
        catch (DatabaseException exception) when (exception.Kind == DatabaseErrorKind.PreconditionFailed)
        {
            // Every try of a transaction on the key met another write: that many signups at once; none of it was applied.
            throw Undo.Unavailable("The signup did not happen");
        }
    }

    private async Task<SignupResponse> SignUpAttemptAsync(string email, string password, string name, string key, CancellationToken cancellationToken)
    {
        var attempt = LicenseKeys.NewAttempt();
        // From the moment it asks for the key (an answer lost may leave a share behind) until the key refuses it or is claimed.
        var mayHold = true;
        try
        {
            var reservation = await licenses.ReserveAsync(key, email, attempt, cancellationToken);
            mayHold = reservation.IsReserved;
            if (reservation.Uid is { } usedBy)
            {
                return await AnswerUsedKeyAsync(usedBy, email, password, name, key, cancellationToken);
            }

            if (!reservation.IsReserved)
            {
                throw InvalidLicense;
            }

            var account = await CreateOrFindAccountAsync(email, password, name, cancellationToken);
            if (account.Licensed)
            {
                // A finished account: someone's existing one, or this very signup, finished meanwhile by a concurrent
                // identical request (then the key is used by it, and the answer is the same).
                return await licenses.UsedByAsync(key, cancellationToken) == account.Uid ? new SignupResponse(account.Uid) : throw EmailTaken;
            }

            var claimed = await licenses.ClaimAsync(key, attempt, account.Uid, cancellationToken);
            mayHold = false;
            if (!claimed)
            {
                LogClaimLost(logger, account.Uid);
                throw InvalidLicense;
            }

            await WriteRecordAsync(account.Uid, account.Email ?? email, name, key, cancellationToken);
            LogSignedUp(logger, account.Uid, Redact.Email(email), account.Created);
            return new SignupResponse(account.Uid);
        }
        catch (Exception) when (mayHold)
        {
            await ReleaseAsync(key, attempt);
            throw;
        }
    }

    /// <summary>
    /// The key is used by <paramref name="uid"/>: by this very signup, finished earlier (the retry answers the same uid,
    /// and writes the record if the attempt that claimed the key could not), or by someone else.
    /// </summary>
    private async Task<SignupResponse> AnswerUsedKeyAsync(string uid, string email, string password, string name, string key, CancellationToken cancellationToken)
    {
        if (await TrySignInAsync(email, password, cancellationToken) is not { } session || session.LocalId != uid)
        {
            throw InvalidLicense;
        }

        if (await database.GetAsync(UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken: cancellationToken) is null)
        {
            await WriteRecordAsync(uid, session.Email ?? email, name, key, cancellationToken);
            LogRecordFinished(logger, uid);
        }

        return new SignupResponse(uid);
    }

    /// <summary>
    /// The user's record, written only once the key is used by <paramref name="uid"/>. Its fields are set one by one
    /// (what else the user has stays), so writing it again (a retry, a concurrent identical request) changes nothing.
    /// A failure is not undone: the key is this account's for good, and the retry writes the record.
    /// </summary>
    private async Task WriteRecordAsync(string uid, string email, string name, string key, CancellationToken cancellationToken)
    {
        try
        {
            await database.UpdateAsync(UserPaths.User(uid), new Dictionary<string, JsonNode?>
            {
                [UserFields.Email] = email,
                [UserFields.Name] = name,
                [UserFields.VerifiedAccess] = true,
                [UserFields.AccessKey] = key,
            }, cancellationToken);
        }
        catch (Exception exception) when (exception is DatabaseException or OperationCanceledException)
        {
            LogRecordWriteFailed(logger, uid, exception.GetType().Name);
            throw;
        }
    }

    /// <summary>The new account, or the caller's own account that an earlier attempt (or a timed-out call) created.</summary>
    private async Task<Account> CreateOrFindAccountAsync(string email, string password, string name, CancellationToken cancellationToken)
    {
        try
        {
            // As the service, not the client call: a project that refuses clients' own sign-ups still signs users up here.
            var uid = await auth.CreateUserAsync(email, password, name, cancellationToken);
            return new Account(uid, email, Created: true, Licensed: false);
        }
        catch (FirebaseAuthException exception) when (exception.Code == AuthErrorCode.EmailExists)
        {
            return await FindOwnAccountAsync(email, password, cancellationToken) ?? throw EmailTaken;
        }
        catch (FirebaseServiceUnavailableException)
        {
            // Ambiguous: Auth may have created the account before its answer was lost. If it did, this signup
            // goes on with it; if not (or Auth is still down), the answer is 503 and a retry starts clean.
            if (await FindOwnAccountAsync(email, password, cancellationToken) is { } found)
            {
                return found with { Created = true };
            }

            throw;
        }
    }

    /// <summary>
    /// The account for <paramref name="email"/> when <paramref name="password"/> opens it, null when it does not.
    /// <see cref="Account.Licensed"/> says whether it has a record already: without one, an earlier signup stopped
    /// between creating it and claiming a key, and this signup finishes it.
    /// </summary>
    private async Task<Account?> FindOwnAccountAsync(string email, string password, CancellationToken cancellationToken)
    {
        if (await TrySignInAsync(email, password, cancellationToken) is not { } session)
        {
            return null;
        }

        var record = await database.GetAsync(UserPaths.Field(session.LocalId, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        return new Account(session.LocalId, session.Email, Created: false, Licensed: record is not null);
    }

    /// <summary>The session <paramref name="password"/> opens, or null when it opens none (Auth being unreachable still throws).</summary>
    private async Task<SignInResult?> TrySignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        try
        {
            return await auth.SignInWithPasswordAsync(email, password, cancellationToken);
        }
        catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.InvalidPassword or AuthErrorCode.EmailNotFound
            or AuthErrorCode.InvalidLoginCredentials or AuthErrorCode.UserDisabled)
        {
            return null;
        }
    }

    /// <summary>
    /// Best effort: takes back this attempt's share of the hold on the key, and only its own. What fails here lapses
    /// on its own (<see cref="LicenseKeys.ReservationTime"/>); attempts for the same e-mail are not held up meanwhile.
    /// </summary>
    private async Task ReleaseAsync(string key, string attempt)
    {
        try
        {
            await licenses.ReleaseAsync(key, attempt, CancellationToken.None);
        }
        catch (FirebaseException exception)
        {
            LogReleaseFailed(logger, exception.GetType().Name, LicenseKeys.ReservationTime.TotalMinutes);
        }
    }

    /// <param name="Licensed">The account has a record (<c>verifiedAccess</c>): a finished signup, not one to finish.</param>
    private sealed record Account(string Uid, string? Email, bool Created, bool Licensed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} signed up ({Email}); account created by this request: {Created}")]
    private static partial void LogSignedUp(ILogger logger, string uid, string email, bool created);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid}: a retried signup wrote the record that the attempt which claimed its license key could not")]
    private static partial void LogRecordFinished(ILogger logger, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signup of {Uid}: the record write failed ({ErrorType}); the license key is claimed, and the retry writes the record")]
    private static partial void LogRecordWriteFailed(ILogger logger, string uid, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signup of {Uid}: the attempt's hold on the license key was gone at the claim (it lapsed and another account took the key, or the key was removed); answered invalid_license, the account stays unlicensed")]
    private static partial void LogClaimLost(ILogger logger, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A failed signup could not give back its hold on the license key ({ErrorType}); the hold lapses within {Minutes} minutes")]
    private static partial void LogReleaseFailed(ILogger logger, string errorType, double minutes);
}
