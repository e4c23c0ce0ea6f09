using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Firebase.Messaging;
using AuthApp.Domain.Jobs;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>
/// Sends a push to the user's current FCM token. A token FCM reports invalid is removed from the user,
/// only if it is still the one used (ETag-conditional delete), so a token the app saved meanwhile survives.
/// </summary>
internal sealed partial class SendPushHandler(IFirebaseDatabase database, IPushSender push, ILogger<SendPushHandler> logger)
    : IJobHandler<SendPushJob>
{
    public async Task HandleAsync(SendPushJob job, JobContext context, CancellationToken cancellationToken)
    {
        var path = UserPaths.Field(job.Uid, UserFields.FcmToken);
        var current = await database.GetWithETagAsync(path, cancellationToken);
        if (JsonShapes.Text(current.Value, UserDataLimits.MaxFcmTokenLength).Value is not { } token || string.IsNullOrWhiteSpace(token))
        {
            LogNoToken(logger, job.Uid, context.JobId);
            return;
        }

        var result = await push.SendAsync(new PushMessage(token, job.Title, job.Body), cancellationToken: cancellationToken);
        if (result.Outcome == PushOutcome.InvalidToken)
        {
            var removal = await database.DeleteIfMatchAsync(path, current.ETag, cancellationToken);
            LogInvalidToken(logger, job.Uid, result.ErrorCode, removal.Succeeded);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No FCM token for user {Uid}: push {JobId} not sent")]
    private static partial void LogNoToken(ILogger logger, string uid, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "FCM token of user {Uid} is invalid ({ErrorCode}); removed: {Removed}")]
    private static partial void LogInvalidToken(ILogger logger, string uid, string? errorCode, bool removed);
}
