using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Jobs;
using AuthApp.Scheduler.Health;
using AuthApp.Domain.Schedules;
using AuthApp.WorkQueue;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Fires the schedules the index reports due: re-reads each one from the database, applies the catch-up
/// window, claims the occurrence, sets the device and <c>lastNotified</c> in one multi-path update,
/// enqueues the "Schedule Completed" push and moves the index entry to the next occurrence.
/// </summary>
public sealed partial class ScheduleRunner(
    IFirebaseDatabase database,
    DueScheduleIndex index,
    OccurrenceClaims claims,
    IWorkQueue queue,
    SchedulerTelemetry telemetry,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleRunner> logger)
{
    public const string CompletedTitle = "Schedule Completed";

    /// <summary>
    /// Drains the due part of the index, batch by batch. When <paramref name="stopping"/> is cancelled it
    /// stops between schedules: a schedule already claimed is finished (its writes are not cancelled).
    /// </summary>
    public async Task<CycleSummary> RunDueAsync(CancellationToken stopping, Action? onBatch = null)
    {
        var summary = new CycleSummary();
        var settings = options.Value;
        while (!stopping.IsCancellationRequested)
        {
            var due = await index.DueAsync(clock.GetUtcNow(), settings.BatchSize);
            if (due.Count == 0)
            {
                break;
            }

            var progressed = 0;
            await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelism }, async (entry, _) =>
            {
                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                var outcome = await RunAsync(entry, stopping);
                summary.Add(outcome);
                if (outcome is not (FireOutcome.ClaimedElsewhere or FireOutcome.Failed or FireOutcome.Stopped))
                {
                    Interlocked.Increment(ref progressed);
                }
            });
            onBatch?.Invoke();

            // A short batch was the last one; a batch where nothing moved (all held by other replicas or
            // failing) is left to the next cycle rather than re-read in a hot loop.
            if (due.Count < settings.BatchSize || progressed == 0)
            {
                break;
            }
        }

        return summary;
    }

    /// <summary>Handles one due index entry.</summary>
    public async Task<FireOutcome> RunAsync(DueSchedule entry, CancellationToken stopping)
    {
        var (id, occurrence) = entry;
        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("schedule fire");
        activity?.SetTag("authapp.schedule.id", id.ToString());
        activity?.SetTag("authapp.schedule.occurrence", occurrence.ToUnixTimeSeconds());
        try
        {
            var outcome = await RunCoreAsync(id, occurrence, stopping);
            activity?.SetTag("authapp.schedule.outcome", outcome.ToString());
            return outcome;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            telemetry.Failed.Add(1);
            LogFailed(logger, id.ToString(), occurrence, exception.GetType().Name);
            return FireOutcome.Failed;
        }
    }

    private async Task<FireOutcome> RunCoreAsync(ScheduleId id, DateTimeOffset occurrence, CancellationToken stopping)
    {
        var scheduleRead = database.GetAsync(UserPaths.Schedule(id.Uid, id.Venue, id.Device), cancellationToken: stopping);
        var deviceRead = database.GetAsync(UserPaths.Device(id.Uid, id.Venue, id.Device), cancellationToken: stopping);
        var zoneRead = database.GetAsync(UserPaths.Field(id.Uid, UserFields.TimeZone), cancellationToken: stopping);
        await Task.WhenAll(scheduleRead, deviceRead, zoneRead);

        var userZone = await zoneRead is JsonValue zoneValue ? zoneValue.ToString() : null;
        if (await scheduleRead is not JsonObject schedule
            || ScheduleTiming.Of(schedule, userZone) is not { } timing
            || schedule["action"] is not JsonValue actionValue
            || await deviceRead is null)
        {
            // Deleted, disabled, unreadable, or its device is gone: nothing to fire until the API indexes it again.
            await index.RemoveIfAtAsync(id, occurrence);
            telemetry.Removed.Add(1);
            LogRemoved(logger, id.ToString());
            return FireOutcome.Removed;
        }

        if (timing.Next(occurrence.AddSeconds(-1)) != occurrence)
        {
            // The definition changed behind the index's back (e.g. written straight into the database).
            await index.AdvanceAsync(id, occurrence, timing.Next(occurrence));
            return FireOutcome.Retimed;
        }

        var now = clock.GetUtcNow();
        var decision = CatchUp.Decide(occurrence, now, options.Value.CatchUpWindow);
        if (decision.Action == CatchUpAction.NotDue)
        {
            return FireOutcome.NotDue;
        }

        if (decision.Action == CatchUpAction.Skip)
        {
            await index.AdvanceAsync(id, occurrence, timing.Next(now));
            telemetry.Skipped.Add(1);
            LogSkipped(logger, id.ToString(), occurrence, decision.Lateness);
            return FireOutcome.Skipped;
        }

        if (stopping.IsCancellationRequested)
        {
            return FireOutcome.Stopped;
        }

        var claim = await claims.TryClaimAsync(id, occurrence);
        if (claim is null)
        {
            return FireOutcome.ClaimedElsewhere;
        }

        bool recovered;
        try
        {
            // From here on the occurrence is ours: finish it even if shutdown begins (the writes are short).
            var lastNotified = schedule["lastNotified"] is JsonValue last && last.TryGetValue(out long seconds) ? seconds : 0;
            recovered = lastNotified >= occurrence.ToUnixTimeSeconds();
            var action = actionValue.ToString();
            if (!recovered)
            {
                await database.UpdateAsync(UserPaths.User(id.Uid), new Dictionary<string, JsonNode?>
                {
                    [UserPaths.Relative.Device(id.Venue, id.Device)] = action,
                    [UserPaths.Relative.LastNotified(id.Venue, id.Device)] = now.ToUnixTimeSeconds(),
                }, CancellationToken.None);
            }

            // A replica that died after the write left lastNotified behind: it only re-sends the push,
            // whose idempotency key suppresses a duplicate of one that already went out.
            await queue.EnqueueAsync(new SendPushJob(id.Uid, CompletedTitle, $"{id.Device} in {id.Venue} turned {action}",
                $"schedule:{id}:{occurrence.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}"), CancellationToken.None);
            await claims.CompleteAsync(claim, SchedulerInstance.Id, now);
        }
        catch
        {
            await claims.ReleaseAsync(claim);
            throw;
        }

        await index.AdvanceAsync(id, occurrence, timing.Next(occurrence));
        telemetry.Fired.Add(1);
        telemetry.Lateness.Record(decision.Lateness.TotalSeconds);
        if (decision.Lateness > options.Value.Interval * 2)
        {
            LogFiredLate(logger, id.ToString(), occurrence, decision.Lateness);
        }

        return recovered ? FireOutcome.Recovered : FireOutcome.Fired;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} occurrence {Occurrence:o} is {Lateness} late, beyond the catch-up window: skipped")]
    private static partial void LogSkipped(ILogger logger, string schedule, DateTimeOffset occurrence, TimeSpan lateness);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} occurrence {Occurrence:o} fired {Lateness} late")]
    private static partial void LogFiredLate(ILogger logger, string schedule, DateTimeOffset occurrence, TimeSpan lateness);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} is gone or disabled: removed from the index")]
    private static partial void LogRemoved(ILogger logger, string schedule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} occurrence {Occurrence:o} failed ({ErrorType}); retried next cycle")]
    private static partial void LogFailed(ILogger logger, string schedule, DateTimeOffset occurrence, string errorType);
}

public enum FireOutcome
{
    Fired,
    Recovered,
    Skipped,
    Removed,
    Retimed,
    NotDue,
    ClaimedElsewhere,
    Failed,
    Stopped,
}

/// <summary>What one drain of the index did (thread-safe counts).</summary>
public sealed class CycleSummary
{
    private readonly int[] _counts = new int[Enum.GetValues<FireOutcome>().Length];

    public void Add(FireOutcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

    public int this[FireOutcome outcome] => Volatile.Read(ref _counts[(int)outcome]);

    public int Total => _counts.Sum();
}
