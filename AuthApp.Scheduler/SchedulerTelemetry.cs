using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthApp.Scheduler;

/// <summary>The worker's ActivitySource and Meter, both named <see cref="Name"/>.</summary>
public sealed class SchedulerTelemetry
{
    public const string Name = "AuthApp.Scheduler";

    public static readonly ActivitySource ActivitySource = new(Name);

    public SchedulerTelemetry(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(Name);
        Fired = meter.CreateCounter<long>("authapp.scheduler.schedules.fired", "{occurrence}", "Schedule occurrences fired (device set, push enqueued).");
        Skipped = meter.CreateCounter<long>("authapp.scheduler.schedules.skipped", "{occurrence}", "Occurrences older than the catch-up window, skipped.");
        Failed = meter.CreateCounter<long>("authapp.scheduler.schedules.failed", "{occurrence}", "Occurrences whose firing failed and will be retried.");
        Removed = meter.CreateCounter<long>("authapp.scheduler.schedules.removed", "{schedule}", "Index entries dropped because the schedule is gone or disabled.");
        Lateness = meter.CreateHistogram<double>("authapp.scheduler.schedules.lateness", "s", "Delay between an occurrence's due time and its firing.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600] });
        CycleDuration = meter.CreateHistogram<double>("authapp.scheduler.cycle.duration", "s", "Duration of one scheduler loop iteration.");
        FaultsNotified = meter.CreateCounter<long>("authapp.scheduler.faults.notified", "{notification}", "'Fault Detected' pushes enqueued.");
        UsersScanned = meter.CreateCounter<long>("authapp.scheduler.faults.users_scanned", "{user}", "Users examined by the fault notifier.");
    }

    public Counter<long> Fired { get; }

    public Counter<long> Skipped { get; }

    public Counter<long> Failed { get; }

    public Counter<long> Removed { get; }

    public Histogram<double> Lateness { get; }

    public Histogram<double> CycleDuration { get; }

    public Counter<long> FaultsNotified { get; }

    public Counter<long> UsersScanned { get; }
}
