using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Starts a rebuild of the index in the background whenever a look at the index finds its built marker missing:
/// at the first start, after Redis lost its data (restarted empty, flushed), and when the marker expires after
/// <see cref="SchedulerOptions.RebuildInterval"/>. Firing goes on meanwhile (a rebuild only adds what is missing).
/// One rebuild at a time per replica, and across replicas through the rebuild lock; a pause after a failure.
/// Each incident is logged once.
/// </summary>
internal sealed partial class IndexRebuildTrigger(
    ScheduleIndexRebuilder rebuilder,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<IndexRebuildTrigger> logger)
{
    // True when the rebuild built the index (marker set). Fields other than _notBeforeTicks are the loop's own.
    private Task<bool> _running = Task.FromResult(false);
    private bool _runningResultSeen = true;
    // Set by the rebuild's task, read by the loop: ticks, so that the value is never torn.
    private long _notBeforeTicks;
    private bool _everBuilt;
    private bool _incidentLogged;

    /// <summary>The rebuild in progress (completed when none is).</summary>
    public Task Running => _running;

    public void Observe(bool indexBuilt, CancellationToken stopping)
    {
        if (indexBuilt)
        {
            IncidentOver();
            return;
        }

        if (!_running.IsCompleted || clock.GetUtcNow().UtcTicks < Interlocked.Read(ref _notBeforeTicks) || stopping.IsCancellationRequested)
        {
            return;
        }

        if (!_runningResultSeen && _running.Result)
        {
            // The rebuild that just ended built the index: this look may have been taken before it ended. The incident
            // is over; a loss after it is seen by the next look (one cycle later), as a new incident.
            IncidentOver();
            return;
        }

        if (!_incidentLogged)
        {
            _incidentLogged = true;
            if (_everBuilt)
            {
                LogMarkerGone(logger, options.Value.RebuildInterval);
            }
            else
            {
                LogNotBuilt(logger);
            }
        }

        _runningResultSeen = false;
        _running = RebuildAsync(stopping);
    }

    private void IncidentOver()
    {
        _everBuilt = true;
        _incidentLogged = false;
        _runningResultSeen = true;
    }

    private async Task<bool> RebuildAsync(CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            // Null when another replica holds the lock: its rebuild sets the marker.
            return await rebuilder.RebuildAsync(stopping) is { Completed: true };
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception exception)
        {
            Interlocked.Exchange(ref _notBeforeTicks, (clock.GetUtcNow() + options.Value.RebuildRetryDelay).UtcTicks);
            LogRebuildFailed(logger, exception.GetType().Name, options.Value.RebuildRetryDelay);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The schedule index is not marked built: rebuilding it from the database")]
    private static partial void LogNotBuilt(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schedule index's built marker is gone (Redis lost its data, or the marker expired after {RebuildInterval}): rebuilding it from the database")]
    private static partial void LogMarkerGone(ILogger logger, TimeSpan rebuildInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild failed ({ErrorType}); tried again in {Delay}")]
    private static partial void LogRebuildFailed(ILogger logger, string errorType, TimeSpan delay);
}
