using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AuthApp.WorkQueue.Internal;

/// <summary>The queue's ActivitySource and Meter, both named <see cref="Name"/>.</summary>
internal sealed class WorkQueueTelemetry : IDisposable
{
    public const string Name = "AuthApp.WorkQueue";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;
    private QueueSnapshot? _snapshot;

    public WorkQueueTelemetry(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(Name);
        Enqueued = _meter.CreateCounter<long>("authapp.workqueue.jobs.enqueued", "{job}", "Jobs accepted by the queue.");
        Completed = _meter.CreateCounter<long>("authapp.workqueue.jobs.completed", "{job}", "Jobs whose handler succeeded.");
        Retried = _meter.CreateCounter<long>("authapp.workqueue.jobs.retried", "{job}", "Failed runs scheduled for a retry.");
        DeadLettered = _meter.CreateCounter<long>("authapp.workqueue.jobs.dead_lettered", "{job}", "Jobs moved to the dead-letter stream.");
        Duplicates = _meter.CreateCounter<long>("authapp.workqueue.jobs.duplicates_skipped", "{job}", "Idempotent jobs not run again: enqueued while already accepted, or delivered after they completed.");
        // Buckets in seconds: the default ones (0, 5, 10, ... meant for milliseconds) put every job of a few milliseconds
        // in the first bucket, read as 5 s at every percentile.
        Duration = _meter.CreateHistogram<double>("authapp.workqueue.job.duration", "s", "Handler run time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] });
        _meter.CreateObservableGauge("authapp.workqueue.queue.depth", () => Observe(s => s.StreamLength), "{message}", "Entries in the stream: waiting plus in flight (XLEN).");
        _meter.CreateObservableGauge("authapp.workqueue.queue.pending", () => Observe(s => s.Pending), "{message}", "Messages delivered and not yet acknowledged (XPENDING).");
        _meter.CreateObservableGauge("authapp.workqueue.queue.delayed", () => Observe(s => s.Delayed), "{job}", "Retries waiting for their back-off.");
        _meter.CreateObservableGauge("authapp.workqueue.queue.dead_letters", () => Observe(s => s.DeadLetters), "{job}", "Entries in the dead-letter stream.");
    }

    public Counter<long> Enqueued { get; }
    public Counter<long> Completed { get; }
    public Counter<long> Retried { get; }
    public Counter<long> DeadLettered { get; }
    public Counter<long> Duplicates { get; }
    public Histogram<double> Duration { get; }

    /// <summary>Set by the consumer's refresher; gauges never call Redis themselves.</summary>
    public void Publish(QueueSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    private IEnumerable<Measurement<long>> Observe(Func<QueueSnapshot, long> select) =>
        Volatile.Read(ref _snapshot) is { } snapshot ? [new Measurement<long>(select(snapshot))] : [];

    public void Dispose() => _meter.Dispose();
}

internal sealed record QueueSnapshot(long StreamLength, long Pending, long Delayed, long DeadLetters);
