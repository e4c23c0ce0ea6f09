using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>Deletes a deleted account's data and schedule-index entries. Both steps are idempotent.</summary>
internal sealed partial class AccountCleanupHandler(IFirebaseDatabase database, DueScheduleIndex index, ILogger<AccountCleanupHandler> logger)
    : IJobHandler<AccountCleanupJob>
{
    public async Task HandleAsync(AccountCleanupJob job, JobContext context, CancellationToken cancellationToken)
    {
        // Index first: a schedule that outlives its data is removed by the runner anyway, the reverse is not true.
        await index.RemoveUserAsync(job.Uid);
        await database.DeleteAsync(UserPaths.User(job.Uid), cancellationToken);
        LogCleanedUp(logger, job.Uid);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data of deleted account {Uid} removed")]
    private static partial void LogCleanedUp(ILogger logger, string uid);
}
