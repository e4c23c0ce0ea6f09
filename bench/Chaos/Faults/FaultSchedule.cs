namespace AuthApp.Bench.Chaos.Faults;

/// <summary>The kinds of fault a run injects; <see cref="FaultSchedule"/> places them on the timeline.</summary>
public enum FaultKind
{
    /// <summary>kill -9 of an API replica, started again after <see cref="PlannedFault.Hold"/>.</summary>
    ApiKill,

    /// <summary>kill -9 of a scheduler worker a quarter second after a minute starts (while it fires), started again after the hold.</summary>
    WorkerKill,

    /// <summary>Redis stopped (SIGTERM: it syncs its append-only file) and started again on the same file.</summary>
    RedisRestartWithAof,

    /// <summary>Redis killed (-9), its data folder wiped, started again empty.</summary>
    RedisRestartEmpty,

    /// <summary>Cluster: kill -9 of a master under load; started again it rejoins as a replica.</summary>
    RedisMasterKill,

    /// <summary>The link to the database holds every byte for the hold (a database that does not answer).</summary>
    DatabaseStall,

    /// <summary>The link to the Auth emulator refuses connections for the hold.</summary>
    AuthDown,

    /// <summary>The link to the database delays every chunk each way for the hold.</summary>
    DatabaseLatency,
}

/// <summary>A fault at <see cref="At"/> after the run's start, for <see cref="Hold"/>, on replica <see cref="Target"/> where that applies.</summary>
public sealed record PlannedFault(FaultKind Kind, TimeSpan At, TimeSpan Hold, int Target);

/// <summary>
/// The run's faults, placed from the seed: each kind once (the ones the Redis mode has; a cluster loses a master twice
/// instead of restarting a single node), in a seeded order, one per
/// slot of the run after a warm-up and before a quiet end, at a seeded point of its slot. A short run gets as many as
/// fit (a fault's hold plus its recovery allowance each), chosen by the seed.
/// </summary>
public static class FaultSchedule
{
    /// <summary>Time after a fault ends in which its 503s and lost connections still count as its own.</summary>
    public static readonly TimeSpan RecoveryAllowance = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan DatabaseLatency = TimeSpan.FromMilliseconds(200);

    public static TimeSpan HoldOf(FaultKind kind) => kind switch
    {
        FaultKind.ApiKill or FaultKind.WorkerKill or FaultKind.RedisMasterKill => TimeSpan.FromSeconds(5),
        FaultKind.RedisRestartWithAof or FaultKind.RedisRestartEmpty => TimeSpan.FromSeconds(3),
        FaultKind.DatabaseStall or FaultKind.AuthDown => TimeSpan.FromSeconds(10),
        FaultKind.DatabaseLatency => TimeSpan.FromSeconds(30),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IReadOnlyList<FaultKind> KindsFor(RedisMode redis) => redis == RedisMode.Cluster
        ? [FaultKind.ApiKill, FaultKind.WorkerKill, FaultKind.RedisMasterKill, FaultKind.RedisMasterKill, FaultKind.DatabaseStall, FaultKind.AuthDown, FaultKind.DatabaseLatency]
        : [FaultKind.ApiKill, FaultKind.WorkerKill, FaultKind.RedisRestartWithAof, FaultKind.RedisRestartEmpty, FaultKind.DatabaseStall, FaultKind.AuthDown, FaultKind.DatabaseLatency];

    public static IReadOnlyList<PlannedFault> Plan(ChaosOptions options)
    {
        var random = new Random(options.Seed ^ 0x5EED);
        var kinds = KindsFor(options.Redis).OrderBy(_ => random.Next()).ToList();
        var warmUp = Max(TimeSpan.FromSeconds(15), options.Duration * 0.1);
        var quietEnd = Max(TimeSpan.FromSeconds(10), options.Duration * 0.1);
        var usable = options.Duration - warmUp - quietEnd;
        var fits = (int)Math.Max(1, usable / (TimeSpan.FromSeconds(20) + RecoveryAllowance));
        kinds = kinds.Take(Math.Min(fits, kinds.Count)).ToList();
        var slot = usable / kinds.Count;
        return [.. kinds.Select((kind, i) =>
        {
            var hold = HoldOf(kind);
            var slack = Max(TimeSpan.Zero, slot - hold - RecoveryAllowance);
            return new PlannedFault(kind, warmUp + (slot * i) + (slack * random.NextDouble()), hold, random.Next(2));
        })];
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
