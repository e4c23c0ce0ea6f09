using System.Diagnostics;
using AuthApp.Domain.Changes;
using AuthApp.Firebase;
using AuthApp.Firebase.Database;
using AuthApp.WorkQueue;
using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Fires the schedules the index reports due, in batches: claims a batch in one Redis script (replicas take
/// disjoint batches), reads what it needs from the database, writes every device change and <c>lastNotified</c>
/// of the batch in one multi-path update at the root, enqueues its pushes in one pipeline and settles the
/// entries in one more script. See docs/scheduler.md for the guarantees.
/// </summary>
public sealed partial class ScheduleRunner(
    IFirebaseDatabase database,
    DueClaims claims,
    IWorkQueue queue,
    UserChangeFeed changes,
    SchedulerTelemetry telemetry,
    IOptions<SchedulerOptions> options,
    IOptions<FirebaseOptions> firebase,
    TimeProvider clock,
    ILogger<ScheduleRunner> logger)
{
    public const string CompletedTitle = "Schedule Completed";

    /// <summary>How far apart the replicas' clocks may be: leases are times on the claimer's clock.</summary>
    public static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromSeconds(5);

    private readonly BatchReport _report = new(telemetry, options, logger);

    /// <summary>
    /// Drains the due part of the index, up to <see cref="SchedulerOptions.BatchesInFlight"/> batches at a time.
    /// When <paramref name="stopping"/> is cancelled it claims nothing more; batches already claimed are finished
    /// (their reads and writes are not cancelled). A cycle that finds nothing due records no trace span.
    /// <paramref name="onBatch"/> runs after each batch (the loop records it as a sign of life).
    /// </summary>
    public async Task<CycleSummary> RunDueAsync(CancellationToken stopping, Action? onBatch = null)
    {
        var settings = options.Value;
        var summary = new CycleSummary();
        var startedAt = clock.GetUtcNow();
        Activity? cycle = null;
        var inFlight = new List<Task>(settings.BatchesInFlight);
        try
        {
            while (!stopping.IsCancellationRequested && !summary.Interrupted)
            {
                if (inFlight.Count == settings.BatchesInFlight)
                {
                    inFlight.Remove(await Task.WhenAny(inFlight));
                    continue;
                }

                var batch = await claims.ClaimAsync(clock.GetUtcNow(), settings.BatchSize);
                summary.IndexBuilt = batch.IndexBuilt;
                summary.NextDue = batch.NextDue;
                summary.Quarantined = batch.Quarantined;
                telemetry.ReportQuarantine(batch.Quarantined);
                if (batch.Entries.Count == 0)
                {
                    break;
                }

                // Only a cycle that found work is traced: an idle one would be a span every interval per replica.
                cycle ??= SchedulerTelemetry.ActivitySource.StartActivity("scheduler cycle", ActivityKind.Internal,
                    parentContext: default, startTime: startedAt);
                // A short batch drained its shard, not the index: the next claim looks at the other shards.
                inFlight.Add(FireBatchAsync(batch, summary, onBatch));
            }
        }
        finally
        {
            await Task.WhenAll(inFlight);
            if (cycle is not null)
            {
                cycle.SetTag("authapp.scheduler.claimed", summary.Total);
                cycle.SetTag("authapp.scheduler.fired", summary.Done);
                cycle.Dispose();
            }
        }

        return summary;
    }
}
