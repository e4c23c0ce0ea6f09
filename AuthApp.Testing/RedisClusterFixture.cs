using StackExchange.Redis;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// A <see cref="LocalRedisCluster"/> (three masters, three replicas) and a multiplexer on it, shared by every test of an
/// assembly that declares it as an assembly fixture: starting one costs a few seconds, so it is paid once. Tests use
/// their own keys; none may kill a node of this shared cluster (start a <see cref="LocalRedisCluster"/> of its own for that).
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime, IRedisTarget
{
    public LocalRedisCluster Cluster { get; private set; } = null!;

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public string Name => "cluster";

    public string ConnectionString => Cluster.ConnectionString;

    public async ValueTask InitializeAsync()
    {
        Cluster = await LocalRedisCluster.StartAsync();
        Connection = await ConnectionMultiplexer.ConnectAsync(Cluster.ConnectionString + ",abortConnect=true,connectTimeout=2000");
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => Cluster.FlushAllAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}
