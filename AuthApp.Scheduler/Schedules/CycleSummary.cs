namespace AuthApp.Scheduler.Schedules;

/// <summary>What became of one claimed index entry.</summary>
public enum FireOutcome
{
    /// <summary>Device set, <c>lastNotified</c> written, push enqueued, entry advanced.</summary>
    Fired,

    /// <summary>A replica had written it and died before settling: push enqueued (once), entry advanced, nothing written again.</summary>
    Recovered,

    /// <summary>Later than the catch-up window: advanced to the next occurrence after now without firing.</summary>
    Skipped,

    /// <summary>Gone, disabled, unreadable, or its device is gone: dropped from the index.</summary>
    Removed,

    /// <summary>The stored definition no longer fires at the indexed occurrence (written behind the index's back): re-timed.</summary>
    Retimed,

    /// <summary>Not due by this replica's clock: put back untouched.</summary>
    NotDue,

    /// <summary>The batch's lease ran out before the write and another replica took the entry over: left to it.</summary>
    Lost,

    /// <summary>Could not be fired now (reads or writes failed): retried later, quarantined if it keeps failing by its own fault.</summary>
    Failed,
}

/// <summary>What one drain of the index did (thread-safe counts), and what the index said about itself.</summary>
public sealed class CycleSummary
{
    private readonly int[] _counts = new int[Enum.GetValues<FireOutcome>().Length];

    public void Add(FireOutcome outcome, int count = 1) => Interlocked.Add(ref _counts[(int)outcome], count);

    public int this[FireOutcome outcome] => Volatile.Read(ref _counts[(int)outcome]);

    public int Total => _counts.Sum();

    /// <summary>Occurrences whose device write happened (now or by a replica that died).</summary>
    public int Done => this[FireOutcome.Fired] + this[FireOutcome.Recovered];

    /// <summary>False when the index's built marker is missing: Redis lost the index (or it was never built).</summary>
    public bool IndexBuilt { get; set; } = true;

    /// <summary>The earliest score left in the index after the drain, if any: when there is something to do next.</summary>
    public DateTimeOffset? NextDue { get; set; }

    /// <summary>Entries in quarantine, as of the last claim.</summary>
    public long Quarantined { get; set; }

    /// <summary>True when a whole batch failed on a database or Redis outage: the drain stopped early.</summary>
    public bool Interrupted { get; set; }
}
