using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Checking;

/// <summary>One occurrence a tenant asked for, and what became of it.</summary>
public sealed record Firing(long Occurrence, string Action, bool Fired, int TimesFired, double? LatenessSeconds);

public sealed partial class Checker
{
    public const string ScheduleCompleted = "Schedule Completed";

    /// <summary>
    /// Each occurrence asked for with an acknowledged <c>set_schedule</c> (answered before it was due) fired exactly
    /// once: the audit stream names it at most once as fired, the database's <c>lastNotified</c> took at most one value
    /// for it, and at least one of the two shows it; or the audit stream (or a worker's log) says the catch-up rule skipped it. An account
    /// deleted before an occurrence was due (plus a minute) excuses it.
    /// </summary>
    private List<Firing> CheckSchedules(TenantRecord tenant, List<RequestRecord> requests)
    {
        var device = tenant.Devices[0];
        var id = $"{tenant.Uid}/{tenant.Venue}/{device}";
        var audit = history.OfType<FiringRecord>().Where(f => f.Id == id).ToList();
        var notified = history.OfType<NotifiedRecord>().Where(n => n.Uid == tenant.Uid && n.Device == device).ToList();
        var skips = history.OfType<SkipRecord>().Where(s => s.FirstSchedule.EndsWith($"/{tenant.Venue}/{device}", StringComparison.Ordinal)).ToList();
        var sets = requests.Where(r => r.Kind == "set_schedule" && r.Occurrence is not null).ToList();
        var deletionSent = requests.FirstOrDefault(r => r.Kind == "delete_account")?.SentMs;
        var occurrences = sets.Select(s => s.Occurrence!.Value).Distinct().Order().ToList();
        var firings = new List<Firing>();
        for (var i = 0; i < occurrences.Count; i++)
        {
            var occurrence = occurrences[i];
            var until = Math.Min(occurrence + (long)bounds.CatchUpWindow.TotalSeconds, i + 1 < occurrences.Count ? occurrences[i + 1] : long.MaxValue);
            var fired = audit.Where(a => a.Occurrence == occurrence && a.Outcome == "fired").ToList();
            var recovered = audit.Any(a => a.Occurrence == occurrence && a.Outcome == "recovered");
            var written = notified.Where(n => n.LastNotified >= occurrence && n.LastNotified < until).Select(n => n.LastNotified).Distinct().Order().ToList();
            var didFire = fired.Count > 0 || recovered || written.Count > 0;
            double? lateness = fired.Count > 0 ? (fired[0].FiredAtMs / 1000.0) - occurrence : written.Count > 0 ? written[0] - occurrence : null;
            var action = sets.Last(s => s.Occurrence == occurrence).Value!;
            firings.Add(new Firing(occurrence, action, didFire, Math.Max(fired.Count, written.Count), lateness));

            var occurrenceMs = (DateTimeOffset.FromUnixTimeSeconds(occurrence) - _started).TotalMilliseconds;
            var asked = sets.FirstOrDefault(s => s.Occurrence == occurrence && s.Acknowledged && s.DoneMs < occurrenceMs - 1000);
            var excused = deletionSent is { } deleted && deleted < occurrenceMs + 60_000;
            if (asked is null || excused)
            {
                continue;
            }

            _checked[Invariants.FireOnce]++;
            if (fired.Count > 1)
            {
                Broken(Invariants.FireOnce, $"{tenant.Tenant} {device} at {Time(occurrence)} fired {fired.Count} times: " +
                    string.Join("; ", fired.Select(f => $"stream entry {f.StreamId} by {f.Instance} at {DateTimeOffset.FromUnixTimeMilliseconds(f.FiredAtMs):HH:mm:ss.fff}")), occurrenceMs);
            }

            if (written.Count > 1)
            {
                Broken(Invariants.FireOnce, $"{tenant.Tenant} {device} at {Time(occurrence)} was written {written.Count} times (lastNotified {string.Join(", ", written)})", occurrenceMs);
            }

            if (!didFire)
            {
                if (audit.FirstOrDefault(a => a.Occurrence == occurrence && a.Outcome == "skipped") is { } recorded)
                {
                    _notes.Add($"{tenant.Tenant} {device} at {Time(occurrence)}: skipped by the catch-up rule (audit stream, {recorded.Instance})");
                    continue;
                }

                if (skips.FirstOrDefault(s => s.At.ToUnixTimeSeconds() >= occurrence) is { } skip)
                {
                    _notes.Add($"{tenant.Tenant} {device} at {Time(occurrence)}: skipped by the catch-up rule ({skip.Worker}: {skip.Line})");
                    continue;
                }

                Broken(Invariants.FireOnce, $"{tenant.Tenant} {device} at {Time(occurrence)} never fired (no stream entry, no lastNotified in [{occurrence}, {until}), no skip logged); asked by {Describe(asked)}", occurrenceMs);
            }
        }

        return firings;
    }

    /// <summary>A tenant's "Schedule Completed" pushes (by its token's fingerprint) are no more than its occurrences that fired.</summary>
    private void CheckPushes(TenantRecord tenant, IReadOnlyList<Firing> firings)
    {
        var fingerprint = Fingerprint(tenant.FcmToken);
        var pushes = history.OfType<PushRecord>().Where(p => p.TokenFingerprint == fingerprint && p.Title == ScheduleCompleted).OrderBy(p => p.At).ToList();
        var fired = firings.Count(f => f.Fired);
        _checked[Invariants.NoDuplicatePush]++;
        if (pushes.Count > fired)
        {
            Broken(Invariants.NoDuplicatePush, $"{tenant.Tenant}: {pushes.Count} pushes for {fired} firings: " +
                string.Join("; ", pushes.Select(p => $"{p.Worker} at {p.At:HH:mm:ss.fff}")), (pushes[^1].At - _started).TotalMilliseconds);
        }

        if (pushes.Count < fired)
        {
            _notes.Add($"{tenant.Tenant}: {fired - pushes.Count} of {fired} firings sent no push (a job lost with Redis's data, or queued when the run ended)");
        }
    }

    /// <summary>No push job ran to completion twice (its idempotency key names the occurrence).</summary>
    private void CheckPushJobs()
    {
        foreach (var job in history.OfType<JobRecord>().Where(j => j.Event == "completed").GroupBy(j => j.JobId))
        {
            _checked[Invariants.NoDuplicatePush]++;
            if (job.Count() > 1)
            {
                Broken(Invariants.NoDuplicatePush, $"job {job.Key} completed {job.Count()} times: {string.Join("; ", job.Select(j => $"{j.Worker} at {j.At:HH:mm:ss.fff}"))}",
                    (job.First().At - _started).TotalMilliseconds);
            }
        }
    }

    /// <summary>
    /// A fault's row. Recovery, per kind of request: from the fault's end (or from the first request of that kind sent
    /// after it, when that came later: a kind nobody asked for meanwhile has nothing to recover) to the answer of the
    /// first request of that kind the system served (2xx, or a 4xx that judged the request: not 429, not 503, not a
    /// lost answer), among those sent before the next fault.
    /// </summary>
    private FaultReport Report(FaultRecord fault, int index)
    {
        var windowEnd = fault.EndMs + bounds.RecoveryAllowance.TotalMilliseconds;
        var inWindow = _requests.Where(r => r.SentMs <= windowEnd && r.DoneMs >= fault.StartMs).ToList();
        var byStatus = inWindow.GroupBy(r => r.Bucket).ToDictionary(g => g.Key, g => g.Count());
        var nextStart = index + 1 < _faults.Count ? _faults[index + 1].StartMs : double.MaxValue;
        var recovery = new Dictionary<string, double?>();
        foreach (var kind in _requests.Where(r => r.SentMs >= fault.EndMs && r.SentMs < nextStart).GroupBy(r => r.Kind).OrderBy(g => g.Key))
        {
            var served = kind.FirstOrDefault(r => r.Status is >= 200 and < 500 and not 429);
            var from = Math.Max(fault.EndMs, kind.First().SentMs);
            recovery[kind.Key] = served is null ? null : (served.DoneMs - from) / 1000;
            _checked[Invariants.Recovery]++;
            if (served is null || served.DoneMs - from > bounds.RecoveryBound.TotalMilliseconds)
            {
                Broken(Invariants.Recovery, served is null
                    ? $"after {fault.Name} on {fault.Target} (ended at {fault.EndMs / 1000:0.0} s) no {kind.Key} request was served before the next fault; first: {Describe(kind.First())}"
                    : $"after {fault.Name} on {fault.Target} (ended at {fault.EndMs / 1000:0.0} s) the first {kind.Key} served came {(served.DoneMs - from) / 1000:0.0} s after the first try: {Describe(served)}",
                    fault.EndMs);
            }
        }

        var violations = _violations.Count(v => v.AtMs is { } at && at >= fault.StartMs && at <= windowEnd);
        return new FaultReport(fault, inWindow.Count, byStatus, recovery, violations);
    }
}
