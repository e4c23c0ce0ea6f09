using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The read loop: as many new messages as there are free slots, each started in its slot; an empty read waits for an
/// enqueue notification or one poll interval. Every successful read (or, with every slot busy, a ping) is a sign of
/// life for readiness (<see cref="ConsumerMonitor"/>).
/// </summary>
internal sealed class MessageReader(
    IConnectionMultiplexer redis,
    WorkQueueOptions options,
    string consumerName,
    JobSlots slots,
    JobProcessor processor,
    ConsumerGroup group,
    ConsumerMonitor monitor,
    RedisOutageLog outages,
    TimeProvider clock)
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>
    /// Enqueue notifications wake the read loop at once. They only shorten the wait: when Redis does not answer the
    /// subscription, the loop still finds new work every poll interval.
    /// </summary>
    public async Task<ChannelMessageQueue?> SubscribeAsync()
    {
        try
        {
            var channel = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(options.NotifyChannel));
            channel.OnMessage(_ => Wake());
            return channel;
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            outages.Failed("subscribe", exception);
            return null;
        }
    }

    public async Task UnsubscribeAsync(ChannelMessageQueue? channel)
    {
        try
        {
            if (channel is not null)
            {
                await channel.UnsubscribeAsync();
            }
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            outages.Failed("unsubscribe", exception);
        }
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var granted = await slots.AcquireAsync(options.PollInterval, stoppingToken);
            if (granted == 0)
            {
                // Every slot is busy: prove the loop and Redis are alive, then wait for a slot again.
                await PingAsync();
                continue;
            }

            StreamEntry[] entries;
            try
            {
                entries = await Db.StreamReadGroupAsync(options.StreamName, options.ConsumerGroup, consumerName, StreamPosition.NewMessages, granted);
                monitor.RecordCycle();
                outages.Succeeded();
            }
            catch (Exception exception) when (exception.IsRedisOutage())
            {
                slots.Release(granted);
                if (!await group.HealIfLostAsync(exception))
                {
                    outages.Failed("read", exception);
                    await Task.Delay(options.PollInterval, clock, stoppingToken);
                }

                continue;
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Not an outage (a bug, a command a cluster refuses): the read loop must not die of it, or the replica
                // stops consuming while it looks alive.
                slots.Release(granted);
                outages.Unexpected("read", exception);
                await Task.Delay(options.PollInterval, clock, stoppingToken);
                continue;
            }

            if (granted > entries.Length)
            {
                slots.Release(granted - entries.Length);
            }
            foreach (var entry in entries)
            {
                slots.Start(entry, processor.ProcessAsync);
            }
            if (entries.Length == 0)
            {
                await _wake.WaitAsync(options.PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>Ends the current wait for work (new messages, or retries moved back to the stream).</summary>
    public void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    private async Task PingAsync()
    {
        try
        {
            await Db.PingAsync();
            monitor.RecordCycle();
            outages.Succeeded();
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            outages.Failed("ping", exception);
        }
    }
}
