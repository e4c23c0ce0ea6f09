using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Licenses;
using AuthApp.Api.Logging;
using AuthApp.Api.Schedules;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.WorkQueue;

namespace AuthApp.Api.Accounts;

/// <summary>Accounts: signup with a license key, sign-in, sessions, the profile, and account removal.</summary>
public sealed partial class AccountService(
    FirebaseAuthClient auth,
    IFirebaseDatabase database,
    UserRecords records,
    LicenseKeys licenses,
    ScheduleService schedules,
    UserCache userCache,
    IWorkQueue queue,
    ILogger<AccountService> logger)
{
    private static readonly AppError InvalidLicense = AppError.Forbidden("invalid_license", "Invalid or already used license key.");

    public async Task<SignupResponse> SignUpAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        var licenseKey = request.AccessToken!.Trim();
        if (!await licenses.IsAvailableAsync(licenseKey, uid: null, cancellationToken))
        {
            throw InvalidLicense;
        }

        var account = await auth.SignUpAsync(request.Email!.Trim(), request.Password!, request.Name!.Trim(), cancellationToken);
        var uid = account.LocalId;
        try
        {
            if (!await licenses.TryClaimAsync(licenseKey, uid, cancellationToken))
            {
                // Another signup took the key between the check and the claim.
                throw InvalidLicense;
            }

            await database.SetAsync(UserPaths.User(uid), new JsonObject
            {
                [UserFields.Email] = account.Email ?? request.Email!.Trim(),
                [UserFields.Name] = request.Name!.Trim(),
                [UserFields.VerifiedAccess] = true,
                [UserFields.AccessKey] = licenseKey,
            }, cancellationToken);
        }
        catch
        {
            // No half-made account: a user without a record could never get access.
            await auth.DeleteUserAsync(uid, CancellationToken.None);
            throw;
        }

        LogSignedUp(logger, uid, Redact.Email(request.Email));
        return new SignupResponse(uid);
    }

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

    public async Task SetTimeZoneAsync(string uid, string timeZone, CancellationToken cancellationToken)
    {
        if (!TimeZones.TryFind(timeZone, out _))
        {
            throw AppError.BadRequest("invalid_time_zone", "Field 'timeZone' must be an IANA time zone such as Europe/Paris.", "timeZone");
        }

        await database.SetAsync(UserPaths.Field(uid, UserFields.TimeZone), JsonValue.Create(timeZone), cancellationToken);
        await schedules.ReindexUserAsync(uid, cancellationToken);
    }

    /// <summary>Signs the user out everywhere: every refresh token stops working.</summary>
    public async Task LogOutAsync(string uid, CancellationToken cancellationToken)
    {
        await auth.RevokeRefreshTokensAsync(uid, cancellationToken);
        await userCache.EvictAsync(uid, cancellationToken);
    }

    /// <summary>
    /// Queues the reset e-mail (the worker sends it, and says nothing when the account does not exist);
    /// the answer is the same either way (no account probing).
    /// </summary>
    public Task RequestPasswordResetAsync(string email, CancellationToken cancellationToken) =>
        queue.EnqueueAsync(new AccountEmailJob(AccountEmailKind.PasswordReset, email.Trim()), cancellationToken);

    public Task RequestEmailVerificationAsync(string idToken, CancellationToken cancellationToken) =>
        auth.SendEmailVerificationAsync(idToken, cancellationToken);

    /// <summary>
    /// Deletes the Firebase account and takes the user's schedules out of the index at once; the user's
    /// data is deleted by the worker (<see cref="AccountCleanupJob"/>, durable and retried).
    /// </summary>
    public async Task DeleteAccountAsync(string uid, CancellationToken cancellationToken)
    {
        await auth.DeleteUserAsync(uid, cancellationToken);
        await schedules.RemoveUserAsync(uid);
        await queue.EnqueueAsync(new AccountCleanupJob(uid), CancellationToken.None);
        await userCache.EvictAsync(uid, cancellationToken);
        LogDeleted(logger, uid);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} signed up ({Email})")]
    private static partial void LogSignedUp(ILogger logger, string uid, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in refused for {Email}: {Reason}")]
    private static partial void LogSignInRefused(ILogger logger, string email, AuthErrorCode reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} deleted; data clean-up queued")]
    private static partial void LogDeleted(ILogger logger, string uid);
}
