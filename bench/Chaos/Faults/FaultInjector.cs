using AuthApp.Bench.Chaos.History;
using AuthApp.Bench.Chaos.Launcher;

namespace AuthApp.Bench.Chaos.Faults;

/// <summary>
/// Plays the fault timeline on the running system, one fault after another, and records each: its start (the
/// moment of the kill, stall or cut) and its end (the component answers again: the process is healthy, Redis answers
/// PING, the link is restored).
/// </summary>
public sealed class FaultInjector(ChaosSystem system, HistoryRecorder history, TimeProvider clock, TextWriter progress)
{
    public async Task RunAsync(IReadOnlyList<PlannedFault> plan, CancellationToken stop)
    {
        foreach (var fault in plan)
        {
            var wait = fault.At - TimeSpan.FromMilliseconds(history.NowMs);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stop);
            }

            if (fault.Kind == FaultKind.WorkerKill)
            {
                await UntilFiringAsync(TimeSpan.FromSeconds(30), stop);
            }

            var record = await InjectAsync(fault, stop);
            history.Add(record);
            progress.WriteLine($"[{record.StartMs / 1000,6:0.0} s] {record.Name} on {record.Target}: {record.Detail}, over after {(record.EndMs - record.StartMs) / 1000:0.0} s");
        }
    }

    private async Task<FaultRecord> InjectAsync(PlannedFault fault, CancellationToken stop)
    {
        var start = history.NowMs;
        string target;
        string detail;
        switch (fault.Kind)
        {
            case FaultKind.ApiKill:
            case FaultKind.WorkerKill:
                var service = (fault.Kind == FaultKind.ApiKill ? system.Apis : system.Workers)[fault.Target];
                target = service.Name;
                await service.KillAsync();
                await HoldAsync(fault, stop);
                await service.StartAsync(stop);
                detail = $"kill -9, started again after {fault.Hold.TotalSeconds:0} s";
                break;
            case FaultKind.RedisRestartWithAof:
            case FaultKind.RedisRestartEmpty:
            case FaultKind.RedisMasterKill:
                (target, detail) = await RedisFaults.InjectAsync(system.Redis, fault, () => HoldAsync(fault, stop), stop);
                break;
            case FaultKind.DatabaseStall:
                target = "database link";
                system.DatabaseLink.Stall();
                await HoldAsync(fault, stop);
                system.DatabaseLink.Resume();
                detail = $"every byte held for {fault.Hold.TotalSeconds:0} s";
                break;
            case FaultKind.AuthDown:
                target = "auth link";
                system.AuthLink.Cut();
                await HoldAsync(fault, stop);
                system.AuthLink.Restore();
                detail = $"connections refused for {fault.Hold.TotalSeconds:0} s";
                break;
            case FaultKind.DatabaseLatency:
                target = "database link";
                system.DatabaseLink.Latency = FaultSchedule.DatabaseLatency;
                await HoldAsync(fault, stop);
                system.DatabaseLink.Latency = TimeSpan.Zero;
                detail = $"+{FaultSchedule.DatabaseLatency.TotalMilliseconds:0} ms per chunk each way for {fault.Hold.TotalSeconds:0} s";
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(fault));
        }

        return new FaultRecord(Name(fault.Kind), target, start, history.NowMs, detail);
    }

    public static string Name(FaultKind kind) => kind switch
    {
        FaultKind.ApiKill => "api-kill",
        FaultKind.WorkerKill => "worker-kill",
        FaultKind.RedisRestartWithAof => "redis-restart-aof",
        FaultKind.RedisRestartEmpty => "redis-restart-empty",
        FaultKind.RedisMasterKill => "redis-master-kill",
        FaultKind.DatabaseStall => "database-stall",
        FaultKind.AuthDown => "auth-down",
        FaultKind.DatabaseLatency => "database-latency",
        _ => kind.ToString(),
    };

    private Task HoldAsync(PlannedFault fault, CancellationToken stop) => Task.Delay(fault.Hold, clock, stop);

    /// <summary>
    /// Schedules come due at second 0 and a batch takes a few hundred milliseconds (claim, reads, one write, the pushes
    /// queued, settle): a worker killed a quarter of a second after the minute dies while it fires, or just after.
    /// Waits for that moment unless it is more than <paramref name="atMost"/> away (a short run cannot wait).
    /// </summary>
    private async Task UntilFiringAsync(TimeSpan atMost, CancellationToken stop)
    {
        var now = clock.GetUtcNow();
        var target = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMilliseconds(250);
        if (target <= now)
        {
            target = target.AddMinutes(1);
        }

        if (target - now <= atMost)
        {
            await Task.Delay(target - now, clock, stop);
        }
    }
}
