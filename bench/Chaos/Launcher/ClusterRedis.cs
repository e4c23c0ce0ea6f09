namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>A local Redis Cluster (three masters, three replicas); see <c>AuthApp.Testing.LocalRedisCluster</c>.</summary>
public sealed class ClusterRedis(string runDirectory, string logDirectory) : IRedisDeployment
{
    public string Description => "cluster of three masters and three replicas";

    public string ConnectionString => throw new NotSupportedException($"The cluster launcher is not merged yet ({runDirectory}, {logDirectory}).");

    public Task StartAsync(CancellationToken cancellationToken) => throw new NotSupportedException("The cluster launcher is not merged yet.");

    public Task<(string Target, string Detail)> InjectAsync(Faults.PlannedFault fault, Func<Task> hold, CancellationToken stop) =>
        throw new NotSupportedException($"{fault.Kind}: the cluster launcher is not merged yet.");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
