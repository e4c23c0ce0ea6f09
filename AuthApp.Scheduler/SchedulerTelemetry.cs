using System.Diagnostics;
using System.Diagnostics.Metrics;
using AuthApp.Scheduler.Schedules;

namespace AuthApp.Scheduler;

/// <summary>The worker's ActivitySource and Meter, both named <see cref="Name"/>.</summary>
public sealed class SchedulerTelemetry
{
    public const string Name = "AuthApp.Scheduler";

    public static readonly ActivitySource ActivitySource = new(Name);

    private long _quarantine = -1;

    public SchedulerTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Fired = meter.CreateCounter<long>("authapp.scheduler.schedules.fired", "{occurrence}", "Schedule occurrences fired (device set, push enqueued).");
        Recovered = meter.CreateCounter<long>("authapp.scheduler.schedules.recovered", "{occurrence}", "Occurrences written by a replica that died before settling them: advanced without writing again.");
        Skipped = meter.CreateCounter<long>("authapp.scheduler.schedules.skipped", "{occurrence}", "Occurrences older than the catch-up window, skipped.");
        Failed = meter.CreateCounter<long>("authapp.scheduler.schedules.failed", "{occurrence}", "Occurrences whose firing failed and will be retried.");
        Removed = meter.CreateCounter<long>("authapp.scheduler.schedules.removed", "{schedule}", "Index entries dropped because the schedule is gone, disabled or unreadable.");
        Quarantined = meter.CreateCounter<long>("authapp.scheduler.schedules.quarantined", "{schedule}", "Index entries moved to quarantine after failing too often.");
        meter.CreateObservableGauge("authapp.scheduler.schedules.quarantine", ObserveQuarantine, "{schedule}", "Entries in quarantine (as of the last look at the index).");
        // Fine buckets below a second: the target is every occurrence of a burst minute within a second of it.
        Lateness = meter.CreateHistogram<double>("authapp.scheduler.schedules.lateness", "s", "Delay between an occurrence's due time and its firing, per occurrence.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30, 60, 120, 300, 600] });
        // Seconds need buckets in seconds: with the default ones (0, 5, 10, 25, ... meant for milliseconds) every cycle of
        // a few milliseconds fell in the first and the dashboard showed 5 s at every percentile.
        CycleDuration = meter.CreateHistogram<double>("authapp.scheduler.cycle.duration", "s",
            "Time one look at the index took (claims, batches fired, heartbeat), not the sleep after it; by authapp.scheduler.cycle.outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        FaultsNotified = meter.CreateCounter<long>("authapp.scheduler.faults.notified", "{notification}", "'Fault Detected' pushes enqueued.");
        UsersScanned = meter.CreateCounter<long>("authapp.scheduler.faults.users_scanned", "{user}", "Users examined by the fault notifier.");
    }

    public Counter<long> Fired { get; }

    public Counter<long> Recovered { get; }

    public Counter<long> Skipped { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Removed { get; }

    public Counter<long> Quarantined { get; }

    public Histogram<double> Lateness { get; }

    public Histogram<double> CycleDuration { get; }

    /// <summary>The tag on <see cref="CycleDuration"/> that says what the cycle did.</summary>
    public const string CycleOutcomeTag = "authapp.scheduler.cycle.outcome";

    /// <summary>The index had nothing due: a claim and a heartbeat.</summary>
    public const string CycleIdle = "idle";

    /// <summary>It claimed entries and fired (or settled) them.</summary>
    public const string CycleWorked = "worked";

    /// <summary>It failed (Redis or the database unreachable); the loop carries on.</summary>
    public const string CycleFailed = "failed";

    public Counter<long> FaultsNotified { get; }

    public Counter<long> UsersScanned { get; }

    /// <summary>One look at the index: how long it took and what it did (<see cref="CycleIdle"/>, ...).</summary>
    public void RecordCycle(TimeSpan duration, string outcome) =>
        CycleDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>(CycleOutcomeTag, outcome));

    /// <summary>The quarantine's size as the last claim saw it (gauges never call Redis themselves).</summary>
    public void ReportQuarantine(long size) => Interlocked.Exchange(ref _quarantine, size);

    /// <summary>Adds one batch's outcomes to the counters.</summary>
    internal void Count(IReadOnlyDictionary<FireOutcome, int> outcomes, int quarantined)
    {
        Add(Fired, outcomes.GetValueOrDefault(FireOutcome.Fired));
        Add(Recovered, outcomes.GetValueOrDefault(FireOutcome.Recovered));
        Add(Skipped, outcomes.GetValueOrDefault(FireOutcome.Skipped));
        Add(Failed, outcomes.GetValueOrDefault(FireOutcome.Failed));
        Add(Removed, outcomes.GetValueOrDefault(FireOutcome.Removed));
        Add(Quarantined, quarantined);

        static void Add(Counter<long> counter, int count)
        {
            if (count > 0)
            {
                counter.Add(count);
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveQuarantine() =>
        Interlocked.Read(ref _quarantine) is >= 0 and var size ? [new Measurement<long>(size)] : [];
}
