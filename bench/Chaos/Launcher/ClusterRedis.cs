using AuthApp.Bench.Chaos.Faults;
using AuthApp.Testing;

namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>
/// A local Redis Cluster (<see cref="LocalRedisCluster"/>: three masters, three replicas, append-only files, a node
/// timeout of 2 s). Its fault is a master killed under load (kill -9) and started again after the hold: its replica
/// takes over meanwhile, and the old master rejoins as a replica.
/// </summary>
public sealed class ClusterRedis : IRedisDeployment
{
    private LocalRedisCluster? _cluster;

    public string Description => "cluster of three masters and three replicas, append-only";

    public string ConnectionString => Cluster.ConnectionString;

    private LocalRedisCluster Cluster => _cluster ?? throw new InvalidOperationException("The cluster has not started.");

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _cluster = await LocalRedisCluster.StartAsync(appendOnly: true, cancellationToken: cancellationToken);

    /// <summary>Kills one of the current masters (the fault's seeded target among them), holds, starts it again, waits for a healthy cluster.</summary>
    public async Task<(string Target, string Detail)> InjectAsync(PlannedFault fault, Func<Task> hold, CancellationToken stop)
    {
        if (fault.Kind != FaultKind.RedisMasterKill)
        {
            throw new NotSupportedException($"{fault.Kind} does not apply to a cluster.");
        }

        var masters = await Cluster.MastersAsync(stop);
        var master = masters[fault.Target % masters.Count];
        await Cluster.KillAsync(master);
        await hold();
        await Cluster.RestartAsync(master, stop);
        await Cluster.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60), stop);
        return ($"master {master.EndPoint}", $"kill -9 under load, started again after {fault.Hold.TotalSeconds:0} s; now {master.Role}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}
