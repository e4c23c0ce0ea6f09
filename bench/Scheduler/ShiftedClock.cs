namespace AuthApp.Bench.Scheduler;

/// <summary>
/// Real time, moved to a chosen instant: the worker's clock reads exactly the target minute when a phase starts,
/// then runs at real speed, so the lateness the runner records is the real time the firing took.
/// </summary>
internal sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - System.GetUtcNow()).Ticks);
}
