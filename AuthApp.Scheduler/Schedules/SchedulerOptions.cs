using System.ComponentModel.DataAnnotations;

namespace AuthApp.Scheduler.Schedules;

/// <summary>The <c>Scheduler</c> configuration section, validated on start.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>How often the loop asks the index for due schedules (and writes its heartbeat).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How late an occurrence may still fire (after downtime or a backlog). Older occurrences are skipped,
    /// logged and counted in <c>authapp.scheduler.schedules.skipped</c>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Due entries read from the index per query; a full batch is followed at once by another.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Due schedules fired concurrently by one replica.</summary>
    [Range(1, 256)]
    public int MaxParallelism { get; set; } = 16;

    /// <summary>
    /// How long a replica holds an occurrence it is firing. If it dies in the middle, another replica takes
    /// the occurrence over after this lease (and sees from <c>lastNotified</c> whether the write happened).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long the "fired" marker of an occurrence is kept; must exceed <see cref="CatchUpWindow"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ClaimTtl { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Rebuild the index from the database when the replica starts (one replica at a time).</summary>
    public bool RebuildIndexOnStart { get; set; } = true;

    /// <summary>Users whose schedules a rebuild reads concurrently.</summary>
    [Range(1, 256)]
    public int RebuildParallelism { get; set; } = 16;

    /// <summary>Readiness fails when no loop iteration succeeded for this many intervals.</summary>
    [Range(2, 100)]
    public int MissedBeatsBeforeUnhealthy { get; set; } = 3;

    /// <summary>Entries kept in the <c>authapp:schedules:fired</c> audit stream (approximate).</summary>
    [Range(100, 10_000_000)]
    public int FiredLogMaxLength { get; set; } = 100_000;
}
