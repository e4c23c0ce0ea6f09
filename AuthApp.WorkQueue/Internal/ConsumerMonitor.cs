using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// Readiness (<c>work-queue</c>): unhealthy when the consumer loop has not completed a successful
/// read cycle (which needs Redis) for <see cref="WorkQueueOptions.StalledAfterPolls"/> poll intervals.
/// </summary>
internal sealed class ConsumerMonitor(IOptions<WorkQueueOptions> options, TimeProvider clock) : IHealthCheck
{
    private readonly long _startedAtTicks = clock.GetUtcNow().UtcTicks;
    private long _lastCycleTicks;

    public void RecordCycle() => Interlocked.Exchange(ref _lastCycleTicks, clock.GetUtcNow().UtcTicks);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var last = Interlocked.Read(ref _lastCycleTicks);
        var since = TimeSpan.FromTicks(clock.GetUtcNow().UtcTicks - (last == 0 ? _startedAtTicks : last));
        var allowed = options.Value.PollInterval * options.Value.StalledAfterPolls;
        return Task.FromResult(since <= allowed
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"No successful work-queue read cycle for {since.TotalSeconds:F0} s."));
    }
}
