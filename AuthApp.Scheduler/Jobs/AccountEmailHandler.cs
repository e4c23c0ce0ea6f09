using AuthApp.Firebase.Authentication;
using AuthApp.Domain.Jobs;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>Sends the account e-mail through Identity Toolkit. An unknown account is not an error (no probing).</summary>
internal sealed partial class AccountEmailHandler(FirebaseAuthClient auth, ILogger<AccountEmailHandler> logger) : IJobHandler<AccountEmailJob>
{
    public async Task HandleAsync(AccountEmailJob job, JobContext context, CancellationToken cancellationToken)
    {
        switch (job.Kind)
        {
            case AccountEmailKind.PasswordReset:
                try
                {
                    await auth.SendPasswordResetEmailAsync(job.Email, cancellationToken);
                }
                catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.EmailNotFound or AuthErrorCode.UserNotFound)
                {
                    LogUnknownAccount(logger, context.JobId);
                }

                break;
            default:
                throw new PermanentJobFailureException("Unknown account e-mail kind.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password reset job {JobId}: no such account")]
    private static partial void LogUnknownAccount(ILogger logger, string jobId);
}
