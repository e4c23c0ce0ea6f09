namespace AuthApp.WorkQueue;

/// <summary>The producer side: puts work on the durable queue instead of doing it in the request.</summary>
public interface IWorkQueue
{
    /// <summary>
    /// Appends <paramref name="job"/> to the stream. When the returned task completes, Redis has accepted
    /// the job. Returns the job id, which stays the same across retries.
    /// </summary>
    Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob;
}
