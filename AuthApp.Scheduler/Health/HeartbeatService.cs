using System.Diagnostics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Health;

/// <summary>
/// Writes <c>scheduler:heartbeat:{instance}</c> to Redis on every beat, with a time to live of a few
/// beats, so that operators (and the end-to-end tests) can see which scheduler replicas are alive, and
/// records each successful beat for the readiness check.
/// </summary>
internal sealed partial class HeartbeatService(
    IConnectionMultiplexer redis,
    HeartbeatMonitor monitor,
    IOptions<HeartbeatOptions> options,
    TimeProvider clock,
    ILogger<HeartbeatService> logger) : BackgroundService
{
    public const string KeyPrefix = "scheduler:heartbeat:";

    internal static readonly ActivitySource ActivitySource = new("AuthApp.Scheduler");

    private readonly string _key = KeyPrefix + SchedulerInstance.Id;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Interval;
        LogStarted(logger, SchedulerInstance.Id, interval);
        using var timer = new PeriodicTimer(interval, clock);
        do
        {
            await BeatAsync();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task BeatAsync()
    {
        using var activity = ActivitySource.StartActivity("scheduler heartbeat");
        try
        {
            var now = clock.GetUtcNow();
            var ttl = options.Value.Interval * options.Value.MissedBeatsBeforeUnhealthy;
            await redis.GetDatabase().StringSetAsync(_key, now.ToUnixTimeMilliseconds(), ttl);
            monitor.RecordBeat(now);
        }
        catch (RedisException exception)
        {
            // Readiness turns unhealthy after a few missed beats; the loop itself keeps going.
            activity?.SetStatus(ActivityStatusCode.Error);
            LogBeatFailed(logger, exception.GetType().Name);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Leave no ghost replica behind for whoever counts heartbeats.
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(_key);
        }
        catch (RedisException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduler {Instance} started; heartbeat every {Interval}")]
    private static partial void LogStarted(ILogger logger, string instance, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduler heartbeat could not reach Redis ({ErrorType})")]
    private static partial void LogBeatFailed(ILogger logger, string errorType);
}
