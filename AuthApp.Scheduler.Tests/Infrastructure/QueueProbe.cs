using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>One replica's view of the work queue: runs a hook before each enqueue (to stall or fail it).</summary>
public sealed class QueueProbe(IWorkQueue inner) : IWorkQueue
{
    public Func<Task>? BeforeEnqueue { get; set; }

    public async Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob => (await EnqueueManyAsync([job], cancellationToken))[0];

    public async Task<IReadOnlyList<string>> EnqueueManyAsync<TJob>(IReadOnlyList<TJob> jobs, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        if (BeforeEnqueue is { } hook)
        {
            await hook();
        }

        return await inner.EnqueueManyAsync(jobs, cancellationToken);
    }
}
