namespace AuthApp.WorkQueue;

/// <summary>The producer side: puts work on the durable queue instead of doing it in the request.</summary>
public interface IWorkQueue
{
    /// <summary>
    /// Appends <paramref name="job"/> to the stream. When the returned task completes, Redis has accepted
    /// the job. Returns the job id, which stays the same across retries. An <see cref="IIdempotentJob"/> whose
    /// key was already accepted (queued, running or completed within the marker's time to live) is not added again.
    /// </summary>
    Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob;

    /// <summary>
    /// Appends several jobs in as few round trips as possible (one per few hundred jobs), with the same guarantees
    /// as <see cref="EnqueueAsync{TJob}"/> for each. Returns their job ids, in order.
    /// </summary>
    Task<IReadOnlyList<string>> EnqueueManyAsync<TJob>(IReadOnlyList<TJob> jobs, CancellationToken cancellationToken = default)
        where TJob : IJob;
}
