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
/// Signup with a license key, as three steps that finish or undo, and that a retry of the same request (same
/// e-mail, password and key) carries to the same end:
/// <list type="number">
/// <item>the key is reserved for the e-mail address (it lapses on its own if the signup is abandoned);</item>
/// <item>the Firebase account is created, or found when an earlier attempt created it and failed later, or when
/// Auth timed out after creating it (the password proves it is the caller's);</item>
/// <item>the user's record and the key's "used by" are written in one atomic multi-path update.</item>
/// </list>
/// A failure after step 1 releases the key; a definite failure of step 3 also deletes an account step 2 created.
/// When the outcome of a step cannot be known (the database or Auth is unreachable), nothing is undone that the
/// retry needs: the answer is 503 and the retry finishes the signup.
/// </summary>
public sealed partial class SignupService(
    FirebaseAuthClient auth,
    IFirebaseDatabase database,
    LicenseKeys licenses,
    ILogger<SignupService> logger)
{
    private static readonly AppError InvalidLicense = AppError.Forbidden("invalid_license", "Invalid or already used license key.");

    private static readonly AppError EmailTaken = AppError.Conflict("email_exists", "An account with this email already exists.");

    public async Task<SignupResponse> SignUpAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        // The original answers a missing license key like a wrong one, and its clients show that 403 as "invalid license".
        if (string.IsNullOrWhiteSpace(request.AccessToken))
        {
            throw InvalidLicense;
        }

        var email = request.Email!.Trim();
        var key = request.AccessToken.Trim();

        var reservation = await licenses.ReserveAsync(key, email, cancellationToken);
        if (reservation.Uid is { } usedBy)
        {
            // The key is used: by this very signup, finished earlier (a retry gets the same answer), or by someone else.
            return await OwnsAccountAsync(usedBy, email, request.Password!, cancellationToken)
                ? new SignupResponse(usedBy)
                : throw InvalidLicense;
        }

        if (!reservation.IsReserved)
        {
            throw InvalidLicense;
        }

        Account account;
        try
        {
            account = await CreateOrFindAccountAsync(email, request.Password!, request.Name!.Trim(), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await UndoAsync(key, email, createdUid: null);
            throw;
        }

        await WriteRecordAsync(account, email, request.Name!.Trim(), key, cancellationToken);
        LogSignedUp(logger, account.Uid, Redact.Email(email), account.Created);
        return new SignupResponse(account.Uid);
    }

    private async Task WriteRecordAsync(Account account, string email, string name, string key, CancellationToken cancellationToken)
    {
        var updates = new Dictionary<string, JsonNode?>(licenses.ClaimUpdates(key, account.Uid))
        {
            [UserPaths.User(account.Uid)] = new JsonObject
            {
                [UserFields.Email] = account.Email ?? email,
                [UserFields.Name] = name,
                [UserFields.VerifiedAccess] = true,
                [UserFields.AccessKey] = key,
            },
        };
        try
        {
            await database.UpdateAsync("", updates, cancellationToken);
        }
        catch (Exception exception) when (exception is DatabaseException or OperationCanceledException)
        {
            // The write may have happened before the answer was lost: read the key back before undoing anything.
            bool? written;
            try
            {
                written = await licenses.UsedByAsync(key, CancellationToken.None) == account.Uid;
            }
            catch (DatabaseException)
            {
                written = null;
            }

            if (written == true)
            {
                return;
            }

            if (written == false)
            {
                await UndoAsync(key, email, account.Created ? account.Uid : null);
            }

            // Unknown: leave the account and the reservation for the retry, which finds both and finishes.
            LogRecordWriteFailed(logger, account.Uid, exception.GetType().Name, written is null ? "unknown" : "undone");
            throw;
        }
    }

    /// <summary>The new account, or the caller's own account that an earlier attempt (or a timed-out call) created.</summary>
    private async Task<Account> CreateOrFindAccountAsync(string email, string password, string name, CancellationToken cancellationToken)
    {
        try
        {
            var created = await auth.SignUpAsync(email, password, name, cancellationToken);
            return new Account(created.LocalId, created.Email, Created: true);
        }
        catch (FirebaseAuthException exception) when (exception.Code == AuthErrorCode.EmailExists)
        {
            return await FindUnfinishedAccountAsync(email, password, cancellationToken) ?? throw EmailTaken;
        }
        catch (FirebaseServiceUnavailableException)
        {
            // Ambiguous: Auth may have created the account before its answer was lost. If it did, this signup
            // goes on with it; if not (or Auth is still down), the answer is 503 and a retry starts clean.
            if (await FindUnfinishedAccountAsync(email, password, cancellationToken) is { } found)
            {
                return found with { Created = true };
            }

            throw;
        }
    }

    /// <summary>
    /// The account for <paramref name="email"/> when <paramref name="password"/> opens it and it has no record
    /// yet (an earlier signup stopped between creating it and writing the record); null when the password does
    /// not open it. A finished account is someone's (or the caller's) existing account: the e-mail is taken.
    /// </summary>
    private async Task<Account?> FindUnfinishedAccountAsync(string email, string password, CancellationToken cancellationToken)
    {
        if (await TrySignInAsync(email, password, cancellationToken) is not { } session)
        {
            return null;
        }

        var record = await database.GetAsync(UserPaths.Field(session.LocalId, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        return record is null ? new Account(session.LocalId, session.Email, Created: false) : throw EmailTaken;
    }

    private async Task<bool> OwnsAccountAsync(string uid, string email, string password, CancellationToken cancellationToken) =>
        (await TrySignInAsync(email, password, cancellationToken))?.LocalId == uid;

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

    /// <summary>Best effort: frees the key and deletes the account this request created. What fails here is left to the key's lapse and the retry.</summary>
    private async Task UndoAsync(string key, string email, string? createdUid)
    {
        try
        {
            if (createdUid is not null)
            {
                await auth.DeleteUserAsync(createdUid, CancellationToken.None);
            }

            await licenses.ReleaseAsync(key, email, CancellationToken.None);
        }
        catch (FirebaseException exception)
        {
            LogUndoFailed(logger, exception.GetType().Name);
        }
    }

    private sealed record Account(string Uid, string? Email, bool Created);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} signed up ({Email}); account created by this request: {Created}")]
    private static partial void LogSignedUp(ILogger logger, string uid, string email, bool created);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signup of {Uid}: the record write failed ({ErrorType}); outcome {Outcome}")]
    private static partial void LogRecordWriteFailed(ILogger logger, string uid, string errorType, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Signup undo failed ({ErrorType}); the key's reservation lapses on its own and a retry finishes the signup")]
    private static partial void LogUndoFailed(ILogger logger, string errorType);
}
