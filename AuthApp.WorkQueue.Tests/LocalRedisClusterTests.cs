using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>
/// The test cluster itself behaves as a cluster must for the failover tests to mean anything: a killed master's
/// replica takes over, and the killed node comes back as a replica. Its own cluster: nodes of the shared one stay up.
/// </summary>
public sealed class LocalRedisClusterTests
{
    [Fact]
    public async Task Killed_master_is_replaced_by_its_replica_and_rejoins_as_a_replica_on_restart()
    {
        var cancellation = TestContext.Current.CancellationToken;
        await using var cluster = await LocalRedisCluster.StartAsync(nodeTimeout: TimeSpan.FromSeconds(1), cancellationToken: cancellation);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
        var keys = Enumerable.Range(0, 30).Select(i => (RedisKey)$"cluster-test:{i}").ToArray();
        foreach (var key in keys)
        {
            await connection.GetDatabase().StringSetAsync(key, "v");
        }
        Assert.Equal(3, (await cluster.MastersAsync(cancellation)).Count);
        Assert.Equal(3, cluster.Nodes.Count(node => node.Role == ClusterRole.Replica));

        // Replication is asynchronous: a key not yet on its replica when its master dies is lost by design (on a loaded
        // machine that happened, and the test waited for keys that could never come back). Kill only once they are there.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await Task.WhenAll(keys.Select(key => connection.GetDatabase().StringGetAsync(key, CommandFlags.DemandReplica)))).All(value => value == "v");
            }
            catch (RedisException)
            {
                return false;
            }
        }, "the keys never reached the replicas");

        var victim = (await cluster.MastersAsync(cancellation))[0];
        await cluster.KillAsync(victim);
        Assert.False(victim.IsRunning);
        await cluster.WaitUntilHealthyAsync(cancellationToken: cancellation);

        Assert.Equal(3, (await cluster.MastersAsync(cancellation)).Count);
        Assert.DoesNotContain(victim, await cluster.MastersAsync(cancellation));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await Task.WhenAll(keys.Select(key => connection.GetDatabase().StringGetAsync(key)))).All(value => value == "v");
            }
            catch (RedisException)
            {
                return false;
            }
        }, "the keys of the failed master never became readable from its replica");

        await cluster.RestartAsync(victim, cancellation);
        await cluster.WaitUntilHealthyAsync(cancellationToken: cancellation);
        Assert.Equal(ClusterRole.Replica, victim.Role);
        Assert.True(victim.IsRunning);

        await cluster.FlushAllAsync(cancellation);
        Assert.All(await Task.WhenAll(keys.Select(key => connection.GetDatabase().KeyExistsAsync(key))), Assert.False);
    }
}
