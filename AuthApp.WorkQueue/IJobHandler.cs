namespace AuthApp.WorkQueue;

/// <summary>
/// Runs one job. Resolved from a fresh DI scope per message. Throw to have the job retried with back-off;
/// throw <see cref="PermanentJobFailureException"/> to dead-letter it at once. A handler can run again
/// after a crash in the middle of it (at-least-once), so its effects should be idempotent.
/// </summary>
public interface IJobHandler<in TJob>
    where TJob : IJob
{
    Task HandleAsync(TJob job, JobContext context, CancellationToken cancellationToken);
}

/// <summary>What the handler may know about the message it is running.</summary>
/// <param name="JobId">Stable across retries (and the idempotency key for <see cref="IIdempotentJob"/>).</param>
/// <param name="MessageId">The stream entry id of this attempt.</param>
/// <param name="JobType">The job's wire name.</param>
/// <param name="Attempt">1 for the first run.</param>
/// <param name="EnqueuedAt">When the producer first accepted the job.</param>
public sealed record JobContext(string JobId, string MessageId, string JobType, int Attempt, DateTimeOffset EnqueuedAt);

/// <summary>
/// Thrown by a handler for a failure that no retry can fix (e.g. the user was deleted): the job goes to
/// the dead-letter stream at once. <see cref="SafeSummary"/> is stored there; it must hold no secret or
/// personal data. The exception's own message is never stored or logged.
/// </summary>
public sealed class PermanentJobFailureException : Exception
{
    public PermanentJobFailureException(string safeSummary, Exception? innerException = null)
        : base(safeSummary, innerException)
    {
        SafeSummary = safeSummary;
    }

    public string SafeSummary { get; }
}
