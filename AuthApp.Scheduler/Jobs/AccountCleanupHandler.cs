using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>
/// Finishes an account deletion the API accepted: the record's access taken away, the Firebase user, the
/// schedule-index entries, then the data (<c>users/{uid}</c>, <c>secure/</c> included). The API queues this job
/// before it does anything else, so every step here must be idempotent: each may already have been done by the API
/// or by an earlier attempt.
/// </summary>
internal sealed partial class AccountCleanupHandler(
    FirebaseAuthClient auth, IFirebaseDatabase database, DueScheduleIndex index, TimeProvider clock, ILogger<AccountCleanupHandler> logger)
    : IJobHandler<AccountCleanupJob>
{
    public async Task HandleAsync(AccountCleanupJob job, JobContext context, CancellationToken cancellationToken)
    {
        // The record's license and a revocation first, as the API does: an ID token outlives its account by up to an
        // hour and the database rules know nothing of Auth, so this is what keeps old tokens from writing the tree back
        // until it is deleted below. Run again after the data is gone, it leaves a stub that the last step deletes.
        await database.UpdateAsync(UserPaths.User(job.Uid), new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [UserFields.VerifiedAccess] = false,
            [UserFields.RevokedBefore] = clock.GetUtcNow().ToUnixTimeSeconds(),
        }, cancellationToken);

        // Then the account: while it exists its tokens still pass the API's checks of Auth.
        try
        {
            await auth.DeleteUserAsync(job.Uid, cancellationToken);
        }
        catch (FirebaseAuthException exception) when (exception.Code == AuthErrorCode.UserNotFound)
        {
        }

        // Index before data: a schedule that outlives its data is removed by the runner anyway, the reverse is not true.
        await index.RemoveUserAsync(job.Uid);
        await database.DeleteAsync(UserPaths.User(job.Uid), cancellationToken);
        LogCleanedUp(logger, job.Uid);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {Uid} and its data removed")]
    private static partial void LogCleanedUp(ILogger logger, string uid);
}
