using AuthApp.Redis;
using AuthApp.Scheduler.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Health;

/// <summary>
/// <c>scheduler:heartbeat:{instance}</c> in Redis, written by every loop iteration with a time to live of
/// a few intervals, so that operators (and the end-to-end tests) see which replicas are alive.
/// </summary>
internal sealed class Heartbeat(IConnectionMultiplexer redis, HeartbeatMonitor monitor, IOptions<SchedulerOptions> options, TimeProvider clock)
{
    public const string KeyPrefix = "scheduler:heartbeat:";

    private readonly string _key = KeyPrefix + SchedulerInstance.Id;

    public async Task BeatAsync()
    {
        var ttl = options.Value.Interval * options.Value.MissedBeatsBeforeUnhealthy;
        await redis.GetDatabase().StringSetAsync(_key, clock.GetUtcNow().ToUnixTimeMilliseconds(), ttl);
        monitor.RecordBeat();
    }

    /// <summary>Leaves no ghost replica behind for whoever counts heartbeats.</summary>
    public async Task RemoveAsync()
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(_key);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
        }
    }
}
