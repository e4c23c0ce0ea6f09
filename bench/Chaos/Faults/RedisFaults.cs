using AuthApp.Bench.Chaos.Launcher;

namespace AuthApp.Bench.Chaos.Faults;

/// <summary>What each Redis fault does to each shape of Redis.</summary>
public static class RedisFaults
{
    /// <summary>Injects <paramref name="fault"/>, holds it (<paramref name="hold"/>), and returns once Redis answers again.</summary>
    public static async Task<(string Target, string Detail)> InjectAsync(IRedisDeployment redis, PlannedFault fault, Func<Task> hold, CancellationToken stop)
    {
        switch (redis, fault.Kind)
        {
            case (SingleRedis single, FaultKind.RedisRestartWithAof):
                await single.Node.StopAsync();
                await hold();
                await single.Node.StartAsync(stop);
                return (single.Node.Name, $"SIGTERM (append-only file synced), started again on it after {fault.Hold.TotalSeconds:0} s");
            case (SingleRedis single, FaultKind.RedisRestartEmpty):
                await single.Node.KillAsync();
                single.Node.Wipe();
                await hold();
                await single.Node.StartAsync(stop);
                return (single.Node.Name, $"kill -9, data folder wiped, started again empty after {fault.Hold.TotalSeconds:0} s");
            case (ClusterRedis cluster, _):
                return await cluster.InjectAsync(fault, hold, stop);
            default:
                throw new NotSupportedException($"{fault.Kind} does not apply to {redis.Description}.");
        }
    }
}
