using AuthApp.Domain.Users;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// What a batch tells operators once it is over: its outcomes as metrics and as log lines. The runner decides and
/// acts; this only reports, under the runner's log category.
/// </summary>
internal sealed partial class BatchReport(SchedulerTelemetry telemetry, IOptions<SchedulerOptions> options, ILogger logger)
{
    /// <summary>
    /// A settled batch: lateness and outcome counts to the metrics, then one line per kind of news (removed, recovered,
    /// quarantined entries; unusable data per user; late, skipped, failed and lost occurrences as counts with a first
    /// example), never one line per occurrence fired.
    /// </summary>
    public void Settled(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures, IReadOnlyList<string> quarantined, DateTimeOffset writtenAt)
    {
        var settings = options.Value;
        var late = 0;
        var latest = TimeSpan.Zero;
        var quarantinedNow = quarantined.ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, decision) = (entries[i], decisions[i]);
            if (quarantinedNow.Contains(entry.Member))
            {
                LogQuarantined(logger, LogName(entry), Failures.Classify(failures[i]!).Reason, settings.QuarantineAfter);
            }

            switch (decision.Outcome)
            {
                case FireOutcome.Fired:
                    var lateness = writtenAt - entry.Occurrence;
                    telemetry.Lateness.Record(lateness.TotalSeconds);
                    if (lateness > settings.Interval * 2)
                    {
                        late++;
                        latest = lateness > latest ? lateness : latest;
                    }

                    break;
                case FireOutcome.Recovered:
                    telemetry.Lateness.Record(decision.Lateness.TotalSeconds);
                    LogRecovered(logger, LogName(entry), entry.Occurrence);
                    break;
                case FireOutcome.Removed when decision.Problem is null:
                    LogRemoved(logger, LogName(entry));
                    break;
            }
        }

        // Stored data the worker cannot use: one line per user and batch, never the values themselves.
        foreach (var user in Enumerable.Range(0, entries.Count).Where(i => decisions[i].Problem is not null).GroupBy(i => entries[i].Id!.Value.Uid))
        {
            var first = decisions[user.First()].Problem!;
            LogUnusableData(logger, user.Count(), UserHash.Of(user.Key), first.Field, first.Reason);
        }

        var counts = decisions.GroupBy(decision => decision.Outcome).ToDictionary(group => group.Key, group => group.Count());
        telemetry.Count(counts, quarantined.Count);
        if (late > 0)
        {
            LogFiredLate(logger, late, latest);
        }

        if (counts.GetValueOrDefault(FireOutcome.Skipped) is > 0 and var skipped)
        {
            var first = Array.FindIndex(decisions, decision => decision.Outcome == FireOutcome.Skipped);
            LogSkipped(logger, skipped, settings.CatchUpWindow, LogName(entries[first]), entries[first].Occurrence);
        }

        if (counts.GetValueOrDefault(FireOutcome.Failed) is > 0 and var failed)
        {
            var first = Array.FindIndex(decisions, decision => decision.Outcome == FireOutcome.Failed);
            LogFailed(logger, failed, Failures.Classify(failures[first]!).Reason, LogName(entries[first]));
        }

        if (counts.GetValueOrDefault(FireOutcome.Lost) is > 0 and var lost)
        {
            LogLost(logger, lost);
        }
    }

    /// <summary>An entry as logs name it: the user hashed, then venue and device (an index member that is no schedule id as it is).</summary>
    private static string LogName(ClaimedEntry entry) =>
        entry.Id is { } id ? $"{UserHash.Of(id.Uid)}/{id.Venue}/{id.Device}" : "(not a schedule id)";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} due schedule(s) of user {UserHash} hold data the worker cannot use (first: {Field}, {Reason}): unreadable ones are dropped from the index until saved again, an unusable lastNotified is ignored")]
    private static partial void LogUnusableData(ILogger logger, int count, string userHash, string field, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} is gone, disabled or unreadable: removed from the index")]
    private static partial void LogRemoved(ILogger logger, string schedule);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {Schedule} occurrence {Occurrence:o} had been written by a replica that stopped before finishing: advanced, push queued once, nothing written again")]
    private static partial void LogRecovered(ILogger logger, string schedule, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} occurrence(s) fired late, up to {Lateness}")]
    private static partial void LogFiredLate(ILogger logger, int count, TimeSpan lateness);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} occurrence(s) more than {Window} late were skipped (first: {Schedule} at {Occurrence:o})")]
    private static partial void LogSkipped(ILogger logger, int count, TimeSpan window, string schedule, DateTimeOffset occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} schedule(s) could not fire ({ErrorType}, first: {Schedule}); retried later")]
    private static partial void LogFailed(ILogger logger, int count, string errorType, string schedule);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} schedule(s) of a batch were taken over by another replica after this one's lease ran out; left to it")]
    private static partial void LogLost(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {Schedule} quarantined after {Failures} failures of its own (last: {ErrorType}); it fires again once its schedule is saved or the index is rebuilt")]
    private static partial void LogQuarantined(ILogger logger, string schedule, string errorType, int failures);

    /// <summary>Redis failed to renew or settle the batch: its entries stay held until their lease runs out.</summary>
    public void Unsettled(int count, Exception exception) => LogBatchFailed(logger, count, exception.GetType().Name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} schedule(s) could not be settled ({ErrorType}); another replica takes it over when its lease ends")]
    private static partial void LogBatchFailed(ILogger logger, int count, string errorType);
}
