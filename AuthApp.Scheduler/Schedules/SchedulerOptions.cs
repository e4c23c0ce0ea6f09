using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.Scheduler.Schedules;

/// <summary>The <c>Scheduler</c> configuration section, validated on start.</summary>
public sealed class SchedulerOptions
{
    public const string SectionName = "Scheduler";

    /// <summary>
    /// The longest the loop sleeps between two looks at the index (and the heartbeat period). It wakes earlier
    /// when the index says an occurrence comes due sooner, so occurrences fire on their minute, not up to an
    /// interval late.
    /// </summary>
    [TimeSpanRange("00:00:00.100", "00:05:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How late an occurrence may still fire (after downtime or a backlog). Older occurrences are skipped,
    /// logged and counted in <c>authapp.scheduler.schedules.skipped</c>.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan CatchUpWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Due entries claimed at once: one claim, the reads they need, one multi-path database write, one push
    /// pipeline and one settlement per batch. A full batch is followed at once by another.
    /// </summary>
    [Range(1, 5_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Batches one replica works on at the same time (claimed one after the other, each its own).</summary>
    [Range(1, 32)]
    public int BatchesInFlight { get; set; } = 2;

    /// <summary>
    /// Users whose data one batch reads at once (a user costs one or two reads), and the checks a rebuild runs at once.
    /// The real database answers in tens of milliseconds: a regular minute's ~700 users, each its own read, take
    /// 11 round trips at 64 and 44 at 16. On the local emulator the two cores are the limit instead, and 16 does as well.
    /// </summary>
    [Range(1, 256)]
    public int ReadParallelism { get; set; } = 64;

    /// <summary>
    /// How long a claimed batch belongs to its replica. If the replica dies, another takes the entries over once
    /// the lease ends (and sees from <c>lastNotified</c> which ones were already written). The lease is renewed
    /// right before the database write, so it must exceed the database client's total timeout
    /// (<c>Firebase:TotalTimeout</c>, 20 s by default).
    /// </summary>
    [TimeSpanRange("00:00:05", "00:30:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Delay before a failed entry is tried again; it doubles with each failure up to <see cref="MaxRetryDelay"/>.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Failures in a row that quarantine an entry. Only failures that are the entry's own count (bad data, a
    /// refused write); an unreachable database or Redis delays entries but never quarantines them.
    /// </summary>
    [Range(1, 100)]
    public int QuarantineAfter { get; set; } = 5;

    /// <summary>
    /// How long a completed rebuild is trusted. The rebuild's marker expires after this, and the index is rebuilt
    /// from the database (catching schedules clients wrote straight into it); a marker lost with Redis's data
    /// triggers a rebuild at once.
    /// </summary>
    [TimeSpanRange("00:01:00", "30.00:00:00")]
    public TimeSpan RebuildInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Users read per database request by a rebuild; bounds its memory.</summary>
    [Range(10, 10_000)]
    public int RebuildPageSize { get; set; } = 1_000;

    /// <summary>Wait after a failed rebuild before the next attempt.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan RebuildRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Readiness fails when no loop iteration succeeded for this many intervals.</summary>
    [Range(2, 100)]
    public int MissedBeatsBeforeUnhealthy { get; set; } = 3;

    /// <summary>Entries kept in each shard's audit stream (<c>authapp:schedules:{tag}:fired</c>, approximate).</summary>
    [Range(100, 10_000_000)]
    public int FiredLogMaxLength { get; set; } = 100_000;
}
