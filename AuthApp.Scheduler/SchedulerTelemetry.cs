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
        CycleDuration = meter.CreateHistogram<double>("authapp.scheduler.cycle.duration", "s", "Duration of one scheduler loop iteration.");
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

    public Counter<long> FaultsNotified { get; }

    public Counter<long> UsersScanned { get; }

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
