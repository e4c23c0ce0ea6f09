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
    private Task _running = Task.CompletedTask;
    // Set by the rebuild's task, read by the loop: ticks, so that the value is never torn.
    private long _notBeforeTicks;
    private DateTimeOffset? _lastSeenBuilt;
    private bool _incidentLogged;

    /// <summary>The rebuild in progress (completed when none is).</summary>
    public Task Running => _running;

    public void Observe(bool indexBuilt, CancellationToken stopping)
    {
        var now = clock.GetUtcNow();
        if (indexBuilt)
        {
            _lastSeenBuilt = now;
            _incidentLogged = false;
            return;
        }

        if (!_running.IsCompleted || now.UtcTicks < Interlocked.Read(ref _notBeforeTicks) || stopping.IsCancellationRequested)
        {
            return;
        }

        if (!_incidentLogged)
        {
            _incidentLogged = true;
            if (_lastSeenBuilt is null)
            {
                LogNotBuilt(logger);
            }
            else
            {
                LogMarkerGone(logger, options.Value.RebuildInterval);
            }
        }

        _running = RebuildAsync(stopping);
    }

    private async Task RebuildAsync(CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            // Null when another replica holds the lock: its rebuild sets the marker.
            await rebuilder.RebuildAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            Interlocked.Exchange(ref _notBeforeTicks, (clock.GetUtcNow() + options.Value.RebuildRetryDelay).UtcTicks);
            LogRebuildFailed(logger, exception.GetType().Name, options.Value.RebuildRetryDelay);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The schedule index is not marked built: rebuilding it from the database")]
    private static partial void LogNotBuilt(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The schedule index's built marker is gone (Redis lost its data, or the marker expired after {RebuildInterval}): rebuilding it from the database")]
    private static partial void LogMarkerGone(ILogger logger, TimeSpan rebuildInterval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild failed ({ErrorType}); tried again in {Delay}")]
    private static partial void LogRebuildFailed(ILogger logger, string errorType, TimeSpan delay);
}
