using AuthApp.Scheduler.Health;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The worker's loop: fires what the index reports due, writes its heartbeat, has the index rebuilt when it is
/// missing, then sleeps until the next occurrence comes due (at most <c>Scheduler:Interval</c>), so a burst minute
/// starts on its second. On shutdown it claims nothing more and lets claimed batches finish.
/// </summary>
internal sealed partial class ScheduleLoop(
    ScheduleRunner runner,
    IndexRebuildTrigger rebuilds,
    Heartbeat heartbeat,
    HeartbeatMonitor monitor,
    SchedulerTelemetry telemetry,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleLoop> logger) : BackgroundService
{
    // Failed cycles since the last good one: an outage is logged when it starts and when it ends.
    private int _failedCycles;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        LogStarted(logger, SchedulerInstance.Id, settings.Interval, settings.CatchUpWindow);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var pause = await RunCycleAsync(stoppingToken);
                await Task.Delay(pause, clock, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// One look at the index; returns how long to sleep before the next. Its duration (claims, batches, heartbeat) is
    /// <c>authapp.scheduler.cycle.duration</c>, by outcome; the sleep that follows is not part of it.
    /// </summary>
    private async Task<TimeSpan> RunCycleAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        var started = clock.GetTimestamp();
        var outcome = SchedulerTelemetry.CycleFailed;
        try
        {
            // A long drain (a burst) is progress too: readiness must not fail in the middle of it.
            var summary = await runner.RunDueAsync(stoppingToken, monitor.RecordBeat);
            await heartbeat.BeatAsync();
            rebuilds.Observe(summary.IndexBuilt, stoppingToken);
            outcome = summary.Total > 0 ? SchedulerTelemetry.CycleWorked : SchedulerTelemetry.CycleIdle;
            if (Interlocked.Exchange(ref _failedCycles, 0) is > 0 and var failed)
            {
                LogCyclesBack(logger, failed);
            }

            if (summary.Interrupted || summary.NextDue is not { } next)
            {
                return interval;
            }

            // Wake when the earliest entry comes due (a minute's occurrences, a lease running out), not a tick later.
            var untilNext = next - clock.GetUtcNow();
            return untilNext < TimeSpan.Zero ? TimeSpan.Zero : untilNext > interval ? interval : untilNext;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Readiness turns unhealthy after a few missed beats; the loop itself keeps going.
            if (Interlocked.Increment(ref _failedCycles) == 1)
            {
                LogCycleFailed(logger, exception.GetType().Name);
            }

            return interval;
        }
        finally
        {
            telemetry.RecordCycle(clock.GetElapsedTime(started), outcome);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await rebuilds.Running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await heartbeat.RemoveAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Instance} started: looks at the index at least every {Interval}, catch-up window {CatchUpWindow}")]
    private static partial void LogStarted(ILogger logger, string instance, TimeSpan interval, TimeSpan catchUpWindow);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler cycle failed ({ErrorType}); further failures are not logged until a cycle succeeds")]
    private static partial void LogCycleFailed(ILogger logger, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler cycles succeed again after {Failed} failed cycle(s)")]
    private static partial void LogCyclesBack(ILogger logger, int failed);
}
