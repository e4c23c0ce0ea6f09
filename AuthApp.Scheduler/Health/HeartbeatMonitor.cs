using AuthApp.Scheduler.Schedules;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Health;

/// <summary>
/// Readiness: unhealthy when the schedule loop has not completed an iteration (which needs Redis) for
/// <c>Scheduler:MissedBeatsBeforeUnhealthy</c> intervals, i.e. when it stalls or Redis is gone.
/// </summary>
internal sealed class HeartbeatMonitor(IOptions<SchedulerOptions> options, TimeProvider clock) : IHealthCheck
{
    private readonly DateTimeOffset _startedAt = clock.GetUtcNow();
    private long _lastBeatTicks;

    public void RecordBeat() => Interlocked.Exchange(ref _lastBeatTicks, clock.GetUtcNow().UtcTicks);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var lastBeatTicks = Interlocked.Read(ref _lastBeatTicks);
        var since = lastBeatTicks == 0 ? _startedAt : new DateTimeOffset(lastBeatTicks, TimeSpan.Zero);
        var allowed = options.Value.Interval * options.Value.MissedBeatsBeforeUnhealthy;
        var silence = clock.GetUtcNow() - since;
        return Task.FromResult(silence <= allowed
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"No successful scheduler cycle for {silence.TotalSeconds:F0} s."));
    }
}
