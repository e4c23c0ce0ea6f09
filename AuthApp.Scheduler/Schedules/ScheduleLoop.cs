using System.Diagnostics;
using AuthApp.Scheduler.Health;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The worker's loop: every <c>Scheduler:Interval</c> it fires what the index reports due and writes its
/// heartbeat. At start-up it also rebuilds the index from the database (in the background, one replica at
/// a time). On shutdown it stops between schedules and lets claimed ones finish.
/// </summary>
internal sealed partial class ScheduleLoop(
    ScheduleRunner runner,
    ScheduleIndexRebuilder rebuilder,
    Heartbeat heartbeat,
    HeartbeatMonitor monitor,
    SchedulerTelemetry telemetry,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleLoop> logger) : BackgroundService
{
    private Task _rebuild = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        LogStarted(logger, SchedulerInstance.Id, settings.Interval, settings.CatchUpWindow);
        if (settings.RebuildIndexOnStart)
        {
            _rebuild = RebuildAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(settings.Interval, clock);
        try
        {
            do
            {
                await RunCycleAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RunCycleAsync(CancellationToken stoppingToken)
    {
        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("scheduler cycle");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var summary = await runner.RunDueAsync(stoppingToken, monitor.RecordBeat);
            activity?.SetTag("authapp.scheduler.fired", summary[FireOutcome.Fired] + summary[FireOutcome.Recovered]);
            activity?.SetTag("authapp.scheduler.due", summary.Total);
            await heartbeat.BeatAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            // Readiness turns unhealthy after a few missed beats; the loop itself keeps going.
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            LogCycleFailed(logger, exception.GetType().Name);
        }
        finally
        {
            telemetry.CycleDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task RebuildAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting; the rebuild only adds what is missing, so firing can run meanwhile.
        await Task.Yield();
        try
        {
            await rebuilder.RebuildAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            LogRebuildFailed(logger, exception.GetType().Name);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _rebuild.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await heartbeat.RemoveAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Instance} started: every {Interval}, catch-up window {CatchUpWindow}")]
    private static partial void LogStarted(ILogger logger, string instance, TimeSpan interval, TimeSpan catchUpWindow);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler cycle failed ({ErrorType})")]
    private static partial void LogCycleFailed(ILogger logger, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule index rebuild failed ({ErrorType})")]
    private static partial void LogRebuildFailed(ILogger logger, string errorType);
}
