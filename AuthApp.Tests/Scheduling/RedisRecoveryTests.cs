using System.Text.Json;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>Flushes the AppHost's Redis, so it runs after the parallel tests, alone.</summary>
[CollectionDefinition(nameof(RedisRecoveryTests), DisableParallelization = true)]
public sealed class RedisRecoveryCollection;

/// <summary>Redis loses its data under the two running scheduler replicas; they heal without a restart.</summary>
[Collection(nameof(RedisRecoveryTests))]
public sealed class RedisRecoveryTests(AppHostFixture host)
{
    private const string BuiltKey = "authapp:schedules:index:built";

    [Fact]
    public async Task After_redis_lost_its_data_schedules_still_fire_and_queued_jobs_complete_without_a_worker_restart()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        var (time, at) = DueNow.LastMinute();
        await user.SetScheduleAsync("kitchen", "lamp", time, "on");
        var id = $"{user.Uid}/kitchen/lamp";
        var schedulers = await ProcessIdsAsync(cancellation);
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();

        // The index, the queue's stream and its consumer group, the leases: all gone, as after an empty restart.
        await connection.GetServer(connection.GetEndPoints()[0]).FlushAllDatabasesAsync();
        var jobId = "e2e-after-flush-" + Guid.NewGuid().ToString("N");
        await redis.StreamAddAsync("authapp:jobs",
        [
            new NameValueEntry("jobId", jobId),
            new NameValueEntry("type", "push.send"),
            new NameValueEntry("payload", JsonSerializer.Serialize(new { uid = "e2e-nobody-" + jobId, title = "t", body = "b", idempotencyKey = jobId })),
            new NameValueEntry("enqueuedAt", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            new NameValueEntry("attempt", 1),
        ]);

        await Eventually.TrueAsync(() => redis.KeyExistsAsync($"{{authapp:jobs}}:done:{jobId}"),
            "the job queued after the loss was never consumed", TimeSpan.FromSeconds(60));
        // The replicas miss the rebuild marker and rebuild the index from the database. The schedule's minute went by
        // while the index was gone, and it is inside the catch-up window: the rebuilt index holds that occurrence, it
        // fires once, and the entry moves on to tomorrow.
        await Eventually.TrueAsync(
            async () => (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/kitchen/lamp") == "on",
            "the schedule did not fire from the rebuilt index", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => await redis.KeyExistsAsync(BuiltKey)
                && await redis.SortedSetScoreAsync(DueNow.DueKey, id) == at.AddDays(1).ToUnixTimeSeconds(),
            "the rebuilt index entry did not move to tomorrow");
        Assert.Equal([(at.ToUnixTimeSeconds(), "fired")], await DueNow.FiringsAsync(redis, id));
        Assert.Equal(schedulers, await ProcessIdsAsync(cancellation));
    }

    /// <summary>The scheduler replicas' process ids: the same before and after means nothing was restarted.</summary>
    private async Task<IReadOnlyList<string>> ProcessIdsAsync(CancellationToken cancellation) =>
        (await host.App.InstancesAsync("scheduler", cancellation))
            .Select(instance => $"{instance.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value}")
            .Order()
            .ToList();
}
