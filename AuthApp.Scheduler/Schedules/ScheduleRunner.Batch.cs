using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Scheduler.Health;

namespace AuthApp.Scheduler.Schedules;

/// <summary>One claimed batch, from the reads to the settlement.</summary>
public sealed partial class ScheduleRunner
{
    private async Task FireBatchAsync(ClaimedBatch batch, CycleSummary summary, Action? onBatch)
    {
        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("schedule batch");
        activity?.SetTag("authapp.batch.size", batch.Entries.Count);
        try
        {
            var (decisions, failures) = await FireAsync(batch);
            foreach (var outcome in decisions.GroupBy(decision => decision.Outcome))
            {
                summary.Add(outcome.Key, outcome.Count());
            }

            // Every entry failed on an outage (not on its own data): stop draining, the next cycle tries again.
            summary.Interrupted |= failures.All(failure => failure is not null && !Failures.Classify(failure).OwnFault);
            activity?.SetTag("authapp.batch.fired", decisions.Count(decision => decision.Outcome is FireOutcome.Fired or FireOutcome.Recovered));
        }
        catch (Exception exception)
        {
            // Reads and writes fail per entry; what lands here is Redis failing to renew or settle. The entries stay
            // held and are taken over when the lease runs out, by whichever replica claims them next.
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            summary.Interrupted = true;
            LogBatchFailed(logger, batch.Entries.Count, exception.GetType().Name);
        }

        onBatch?.Invoke();
    }

    private async Task<(Decision[] Decisions, Exception?[] Failures)> FireAsync(ClaimedBatch batch)
    {
        var settings = options.Value;
        var entries = batch.Entries;
        var now = clock.GetUtcNow();
        var snapshots = await BatchReads.ReadAsync(database, entries.Select(entry => entry.Id).OfType<ScheduleId>(), settings.ReadParallelism, now);
        var decisions = new Decision[entries.Count];
        var failures = new Exception?[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            // Each entry is judged on its own: whatever its user stored, the worst it can do is fail this entry.
            try
            {
                (decisions[i], failures[i]) = entries[i].Id is not { } id ? (new Decision(FireOutcome.Removed), null)
                    : snapshots[id].Failure is { } failure ? (new Decision(FireOutcome.Failed), failure)
                    : (FiringDecision.Decide(entries[i].Occurrence, snapshots[id], now, settings.CatchUpWindow), (Exception?)null);
            }
            catch (Exception exception)
            {
                (decisions[i], failures[i]) = (new(FireOutcome.Failed), exception);
            }
        }

        var lease = await RenewForEffectsAsync(batch, decisions);
        await WriteAsync(entries, decisions, failures, now);
        var writtenAt = clock.GetUtcNow();
        await EnqueuePushesAsync(entries, decisions, failures);

        var settledAt = clock.GetUtcNow();
        var settlements = new List<Settlement>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            if (Settle(entries[i], decisions[i], failures[i], settledAt) is { } settlement)
            {
                settlements.Add(settlement);
            }
        }

        var quarantined = await claims.SettleAsync(lease, settlements, settledAt, SchedulerInstance.Id);
        Report(entries, decisions, failures, quarantined, writtenAt);
        return (decisions, failures);
    }

    /// <summary>
    /// Right before anything leaves Redis (the write, the pushes): the batch must still own its entries. A replica
    /// that stalled past its lease lost them to another, which may have fired them already. A batch that got here
    /// quickly holds a lease that outlasts the write (the database client gives up after <c>Firebase:TotalTimeout</c>)
    /// and asks Redis nothing; replica clocks are trusted to agree within <see cref="ClockSkewAllowance"/>.
    /// </summary>
    private async Task<double> RenewForEffectsAsync(ClaimedBatch batch, Decision[] decisions)
    {
        var effectful = Enumerable.Range(0, decisions.Length)
            .Where(i => decisions[i].Outcome is FireOutcome.Fired or FireOutcome.Recovered)
            .ToList();
        var leaseLeft = DateTimeOffset.FromUnixTimeMilliseconds((long)(batch.Lease * 1000)) - clock.GetUtcNow();
        if (effectful.Count == 0 || leaseLeft > firebase.Value.TotalTimeout + ClockSkewAllowance)
        {
            return batch.Lease;
        }

        var (lease, owned) = await claims.RenewAsync(batch.Lease, effectful.Select(i => batch.Entries[i]).ToList(), clock.GetUtcNow());
        for (var k = 0; k < effectful.Count; k++)
        {
            if (!owned[k])
            {
                decisions[effectful[k]] = new(FireOutcome.Lost);
            }
        }

        return lease;
    }

    /// <summary>
    /// Every device and <c>lastNotified</c> of the batch in one multi-path update at the root (atomic across paths).
    /// If the database refuses it for the data in it, each user's part is written on its own, so that one user's
    /// data cannot hold back the others; an outage fails them all (they are retried).
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures, DateTimeOffset now)
    {
        var fires = Enumerable.Range(0, entries.Count).Where(i => decisions[i].Outcome == FireOutcome.Fired).ToList();
        if (fires.Count == 0)
        {
            return;
        }

        try
        {
            await database.UpdateAsync(UserPaths.Root, Updates(fires), CancellationToken.None);
        }
        catch (Exception exception) when (Failures.Classify(exception).OwnFault && fires.Select(i => entries[i].Id!.Value.Uid).Distinct().Count() > 1)
        {
            await Parallel.ForEachAsync(fires.GroupBy(i => entries[i].Id!.Value.Uid),
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.ReadParallelism },
                async (user, _) =>
                {
                    try
                    {
                        await database.UpdateAsync(UserPaths.Root, Updates(user), CancellationToken.None);
                    }
                    catch (Exception userFailure)
                    {
                        Fail(user, userFailure);
                    }
                });
        }
        catch (Exception exception)
        {
            Fail(fires, exception);
        }

        Dictionary<string, JsonNode?> Updates(IEnumerable<int> indices)
        {
            var updates = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var i in indices)
            {
                var id = entries[i].Id!.Value;
                updates[UserPaths.Device(id.Uid, id.Venue, id.Device)] = decisions[i].Action;
                updates[UserPaths.LastNotified(id.Uid, id.Venue, id.Device)] = now.ToUnixTimeSeconds();
            }

            return updates;
        }

        void Fail(IEnumerable<int> indices, Exception exception)
        {
            foreach (var i in indices)
            {
                (decisions[i], failures[i]) = (new(FireOutcome.Failed), exception);
            }
        }
    }

    /// <summary>
    /// The "Schedule Completed" pushes of the batch in one call. Each carries the occurrence as its idempotency key,
    /// so a replica recovering a half-fired occurrence never queues a second one.
    /// </summary>
    private async Task EnqueuePushesAsync(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures)
    {
        var pushes = Enumerable.Range(0, entries.Count)
            .Where(i => decisions[i].Outcome is FireOutcome.Fired or FireOutcome.Recovered)
            .ToList();
        if (pushes.Count == 0)
        {
            return;
        }

        try
        {
            await queue.EnqueueManyAsync(pushes.Select(i =>
            {
                var id = entries[i].Id!.Value;
                var occurrence = entries[i].Occurrence.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                return new SendPushJob(id.Uid, CompletedTitle, $"{id.Device} in {id.Venue} turned {decisions[i].Action}", $"schedule:{id}:{occurrence}");
            }).ToList(), CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The devices were written: the retry finds lastNotified and only queues the pushes (recovered).
            foreach (var i in pushes)
            {
                (decisions[i], failures[i]) = (new(FireOutcome.Failed), exception);
            }
        }
    }

    private Settlement? Settle(ClaimedEntry entry, Decision decision, Exception? failure, DateTimeOffset now) => decision.Outcome switch
    {
        FireOutcome.Fired => Settlement.Advance(entry.Member, decision.Next, "fired"),
        FireOutcome.Recovered => Settlement.Advance(entry.Member, decision.Next, "recovered"),
        FireOutcome.Skipped or FireOutcome.Retimed => Settlement.Advance(entry.Member, decision.Next),
        FireOutcome.Removed => Settlement.Remove(entry.Member),
        FireOutcome.NotDue => Settlement.Release(entry.Member),
        FireOutcome.Failed => Retry(entry, failure!, now),
        _ => null,
    };

    private Settlement Retry(ClaimedEntry entry, Exception failure, DateTimeOffset now)
    {
        var settings = options.Value;
        // Failed entries move behind the others (never keep the head of the index), later with each failure.
        var delay = TimeSpan.FromTicks(Math.Min(
            settings.MaxRetryDelay.Ticks,
            settings.RetryDelay.Ticks * (long)Math.Pow(2, Math.Min(entry.Failures, 20))));
        var (reason, ownFault) = Failures.Classify(failure);
        return Settlement.Retry(entry.Member, DueClaims.HoldScore(now, delay), ownFault, reason);
    }

    private void Report(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures, IReadOnlyList<string> quarantined, DateTimeOffset writtenAt)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} schedule(s) could not be settled ({ErrorType}); another replica takes it over when its lease ends")]
    private static partial void LogBatchFailed(ILogger logger, int count, string errorType);
}
