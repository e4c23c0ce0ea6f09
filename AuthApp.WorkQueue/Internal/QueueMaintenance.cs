using AuthApp.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The consumer's periodic work beside the read loop: retries whose back-off ended go back to the stream, messages
/// another consumer left pending too long are taken over (or dead-lettered when they keep killing their consumers),
/// and the queue's gauges are refreshed. A pass that Redis fails is logged as part of the outage and tried next time;
/// a pass that fails otherwise (a bug, a Redis Cluster refusing a command) is logged too and tried next time as well:
/// a loop that died would leave retries unpromoted and crashed replicas' jobs unclaimed, silently, for good.
/// </summary>
internal sealed partial class QueueMaintenance(
    IConnectionMultiplexer redis,
    WorkQueueOptions options,
    string consumerName,
    JobSlots slots,
    JobProcessor processor,
    MessageReader reader,
    ConsumerGroup group,
    WorkQueueTelemetry telemetry,
    RedisOutageLog outages,
    TimeProvider clock,
    ILogger logger)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>Starts every periodic task; they end when <paramref name="stoppingToken"/> is cancelled.</summary>
    public Task[] Start(CancellationToken stoppingToken) =>
    [
        RunPeriodicallyAsync(options.DelayedPollInterval, PromoteDueRetriesAsync, stoppingToken),
        RunPeriodicallyAsync(options.ClaimInterval, ReclaimAsync, stoppingToken),
        RunPeriodicallyAsync(options.MetricsRefreshInterval, RefreshSnapshotAsync, stoppingToken),
    ];

    private async Task PromoteDueRetriesAsync()
    {
        var moved = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.PromoteDue,
            [options.DelayedKey, options.StreamName],
            [clock.GetUtcNow().ToUnixTimeMilliseconds(), 100]);
        await AdoptLegacyRetriesAsync();
        if (moved > 0)
        {
            reader.Wake();
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(options.NotifyChannel), "1", CommandFlags.FireAndForget);
        }
    }

    /// <summary>
    /// Moves retries from the delayed set's name before cluster tagging (<see cref="WorkQueueOptions.LegacyDelayedKey"/>),
    /// where replicas of an older version put them during a rolling upgrade, into today's set, keeping their due times.
    /// Single-key commands, because the two names lie in different cluster slots; ZREM first and ZADD only by whoever
    /// removed the entry, so two replicas never move one retry twice (a crash between the two loses that one retry).
    /// Costs one ZRANGE of a missing key per pass once the old set is empty.
    /// </summary>
    private async Task AdoptLegacyRetriesAsync()
    {
        if (options.LegacyDelayedKey == options.DelayedKey)
        {
            return;
        }
        foreach (var entry in await Db.SortedSetRangeByRankWithScoresAsync(options.LegacyDelayedKey, 0, 99))
        {
            if (await Db.SortedSetRemoveAsync(options.LegacyDelayedKey, entry.Element))
            {
                await Db.SortedSetAddAsync(options.DelayedKey, entry.Element, entry.Score);
            }
        }
    }

    /// <summary>Takes over messages that another consumer left pending longer than ClaimMinIdleTime.</summary>
    private async Task ReclaimAsync()
    {
        var cursor = (RedisValue)"0-0";
        do
        {
            var granted = await slots.AcquireAsync(options.PollInterval, CancellationToken.None);
            if (granted == 0)
            {
                return;
            }
            StreamAutoClaimResult result;
            try
            {
                result = await Db.StreamAutoClaimAsync(
                    options.StreamName, options.ConsumerGroup, consumerName,
                    (long)options.ClaimMinIdleTime.TotalMilliseconds, cursor, granted);
            }
            catch
            {
                slots.Release(granted);
                throw;
            }
            var claimed = result.ClaimedEntries.Where(entry => !entry.IsNull).ToArray();
            if (granted > claimed.Length)
            {
                slots.Release(granted - claimed.Length);
            }
            foreach (var entry in claimed)
            {
                LogReclaimed(logger, entry.Id.ToString());
                if (await ExceedsDeliveryLimitAsync(entry))
                {
                    slots.Release();
                    continue;
                }
                slots.Start(entry, processor.ProcessAsync);
            }
            cursor = result.NextStartId;
        }
        while (cursor != "0-0" && !cursor.IsNull);
    }

    /// <summary>A message that keeps killing its consumers (delivered too often) is dead-lettered instead of run again.</summary>
    private async Task<bool> ExceedsDeliveryLimitAsync(StreamEntry entry)
    {
        var pending = await Db.StreamPendingMessagesAsync(options.StreamName, options.ConsumerGroup, 1, consumerName, entry.Id, entry.Id);
        if (pending.Length == 0 || pending[0].DeliveryCount <= options.MaxDeliveries)
        {
            return false;
        }
        var message = JobMessage.TryParse(entry);
        LogDeliveryLimit(logger, message?.Type ?? "?", message?.JobId ?? "?", pending[0].DeliveryCount);
        await processor.DeadLetterAsync(entry, message, "DeliveryLimitExceeded", $"Delivered {pending[0].DeliveryCount} times without completing.");
        telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("authapp.job.type", message?.Type));
        return true;
    }

    private async Task RefreshSnapshotAsync()
    {
        var db = Db;
        var length = db.StreamLengthAsync(options.StreamName);
        var pending = db.StreamPendingAsync(options.StreamName, options.ConsumerGroup);
        var delayed = db.SortedSetLengthAsync(options.DelayedKey);
        var dead = db.StreamLengthAsync(options.DeadLetterKey);
        await Task.WhenAll(length, pending, delayed, dead);
        telemetry.Publish(new QueueSnapshot(length.Result, pending.Result.PendingMessageCount, delayed.Result, dead.Result));
    }

    private async Task RunPeriodicallyAsync(TimeSpan period, Func<Task> work, CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(period, clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await work();
                }
                catch (Exception exception) when (exception.IsRedisOutage())
                {
                    if (!await group.HealIfLostAsync(exception))
                    {
                        outages.Failed(work.Method.Name, exception);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    outages.Unexpected(work.Method.Name, exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobType} {JobId} was delivered {DeliveryCount} times without completing; moved to the dead-letter stream")]
    private static partial void LogDeliveryLimit(ILogger logger, string jobType, string jobId, long deliveryCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed message {MessageId} left pending by another consumer")]
    private static partial void LogReclaimed(ILogger logger, string messageId);
}
