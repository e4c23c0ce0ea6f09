using AuthApp.Scheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Tests;

/// <summary>
/// Redis can lose writes it acknowledged: the last second of its append-only file when it restarts, what a master had
/// not yet sent to its replica when it fails over. Either event gives Redis a new epoch (replication id), and the index
/// is rebuilt from the database. Each test has a Redis of its own: it changes the epoch every shard on it sees.
/// </summary>
public sealed class FailoverTests(DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 35, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_redis_takes_a_new_epoch_the_index_is_rebuilt_and_gets_back_what_redis_lost()
    {
        // A Redis of its own: the test changes the server's epoch, which every shard on it sees.
        await using var ownRedis = new RedisServerFixture();
        await ownRedis.InitializeAsync();
        await using var harness = await SchedulerHarness.StartAsync(ownRedis, emulator, Now);
        var id = await harness.AddUserAsync("u1", "08:00");
        await harness.BuildIndexAsync();
        // A write Redis acknowledged and then lost: the last second of its append-only file, or what a master had not
        // yet sent to the replica that replaced it. Nothing about the index says so.
        await harness.Redis.SortedSetRemoveAsync(ScheduleIndexShard.Of(id.Uid).DueKey, id.ToString());
        Assert.True((await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt);

        // What a promoted replica (or a restarted server) does: it takes a new replication id.
        await harness.Redis.ExecuteAsync("REPLICAOF", "127.0.0.1", LoopbackPorts.Closed());
        await harness.Redis.ExecuteAsync("REPLICAOF", "NO", "ONE");

        Assert.False((await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt);
        await harness.BuildIndexAsync();
        Assert.NotNull(await harness.ScoreAsync(id));
        Assert.True((await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt);
    }

    [Fact]
    public async Task A_cluster_master_killed_under_the_index_fails_over_and_the_index_is_rebuilt_and_fires_each_schedule_once()
    {
        await using var redis = new RedisClusterFixture();
        await redis.InitializeAsync();
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        var ids = new List<ScheduleId>();
        for (var u = 0; u < 24; u++)
        {
            ids.Add(await harness.AddUserAsync($"u{u:D2}", "07:36"));
        }

        await harness.BuildIndexAsync();
        Assert.True((await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt);

        // kill -9 of the master that serves the first user's shard; its replica takes over after the node timeout.
        var shard = ScheduleIndexShard.Of(ids[0].Uid);
        var endpoint = harness.Redis.IdentifyEndpoint(shard.DueKey)!.ToString()!;
        var master = redis.Cluster.Nodes.Single(node => node.EndPoint == endpoint);
        await redis.Cluster.KillAsync(master);

        // Meanwhile claims fail (the slot has no master) or find the new master's shards of another epoch.
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return !(await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt;
            }
            catch (RedisException)
            {
                return false;
            }
        }, "the claims never noticed that the failed-over shards must be rebuilt", TimeSpan.FromSeconds(60));
        Assert.DoesNotContain(master, await redis.Cluster.MastersAsync(Cancellation));

        await harness.BuildIndexAsync();
        Assert.True((await harness.Runner.RunDueAsync(Cancellation)).IndexBuilt);
        Assert.Equal(ids.Count, await harness.DueEntriesAsync());

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Runner.RunDueAsync(Cancellation);
        Assert.Equal(ids.Select(id => id.ToString()).Order(), (await harness.AuditAsync()).Select(entry => entry.Id).Order());
        foreach (var id in ids)
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
        }
    }
}
