using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>
/// Finishes an account deletion the API accepted: the Firebase user, the schedule-index entries, then the data
/// (<c>users/{uid}</c>, <c>secure/</c> included). The API queues this job before it does anything else, so
/// every step here must be idempotent: each may already have been done by the API or by an earlier attempt.
/// </summary>
internal sealed partial class AccountCleanupHandler(
    FirebaseAuthClient auth, IFirebaseDatabase database, DueScheduleIndex index, ILogger<AccountCleanupHandler> logger)
    : IJobHandler<AccountCleanupJob>
{
    public async Task HandleAsync(AccountCleanupJob job, JobContext context, CancellationToken cancellationToken)
    {
        // The account first: while it exists its tokens still work and could write data back.
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
