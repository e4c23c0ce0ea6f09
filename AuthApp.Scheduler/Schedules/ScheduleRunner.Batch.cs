using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.Domain.Changes;
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
            _report.Unsettled(batch.Entries.Count, exception);
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

        var quarantined = await claims.SettleAsync(batch, lease, settlements, settledAt, SchedulerInstance.Id);
        _report.Settled(entries, decisions, failures, quarantined, writtenAt);
        AnnounceSkipped(entries, decisions);
        return (decisions, failures);
    }

    /// <summary>
    /// Tells the users' live streams which occurrences were skipped (a firing is announced by its write). After the
    /// settlement: a batch that failed to settle is taken over and decided again, and only then announced.
    /// </summary>
    private void AnnounceSkipped(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions)
    {
        var skipped = Enumerable.Range(0, entries.Count)
            .Where(i => decisions[i].Outcome == FireOutcome.Skipped && entries[i].Id is not null)
            .GroupBy(i => entries[i].Id!.Value.Uid, StringComparer.Ordinal);
        foreach (var user in skipped)
        {
            changes.AnnounceSkipped(user.Key, [.. user.Select(i => new SkippedOccurrence(entries[i].Id!.Value.Venue, entries[i].Id!.Value.Device, entries[i].Occurrence))]);
        }
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

        var (lease, owned) = await claims.RenewAsync(batch, effectful.Select(i => batch.Entries[i]).ToList(), clock.GetUtcNow());
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
    /// data cannot hold back the others; an outage fails them all (they are retried). Its span says how many users
    /// and devices it changed: the <c>PATCH</c> below it names only the database root.
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures, DateTimeOffset now)
    {
        var fires = Enumerable.Range(0, entries.Count).Where(i => decisions[i].Outcome == FireOutcome.Fired).ToList();
        if (fires.Count == 0)
        {
            return;
        }

        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("schedule batch write");
        await WriteOrSplitAsync(entries, decisions, failures, fires, now);
        var written = fires.Where(i => decisions[i].Outcome == FireOutcome.Fired).ToList();
        activity?.SetTag("authapp.batch.users", written.Select(i => entries[i].Id!.Value.Uid).Distinct(StringComparer.Ordinal).Count());
        activity?.SetTag("authapp.batch.devices", written.Count);
        if (written.Count < fires.Count)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failures[fires.First(i => decisions[i].Outcome == FireOutcome.Failed)]!.GetType().Name);
        }
    }

    private async Task WriteOrSplitAsync(IReadOnlyList<ClaimedEntry> entries, Decision[] decisions, Exception?[] failures, List<int> fires, DateTimeOffset now)
    {
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
        // A skip is recorded like a firing: whoever audits the schedule sees why that occurrence did not fire.
        FireOutcome.Skipped => Settlement.Advance(entry.Member, decision.Next, "skipped"),
        FireOutcome.Retimed => Settlement.Advance(entry.Member, decision.Next),
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
}
