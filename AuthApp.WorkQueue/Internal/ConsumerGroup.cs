using AuthApp.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The stream's consumer group: created at start (with the stream) unless it exists, and recreated when Redis lost it
/// (restarted without persistence, flushed) while the consumer ran.
/// </summary>
internal sealed partial class ConsumerGroup(
    IConnectionMultiplexer redis, WorkQueueOptions options, RedisOutageLog outages, TimeProvider clock, ILogger logger)
{
    /// <summary>Retries every poll interval until the group exists.</summary>
    public async Task EnsureAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await CreateAsync();
                return;
            }
            catch (Exception exception) when (exception.IsRedisOutage())
            {
                outages.Failed("create-group", exception);
                await Task.Delay(options.PollInterval, clock, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Redis lost the stream and its group while this replica ran: every group command now fails with NOGROUP.
    /// Recreates the group at once, so that the jobs enqueued since are consumed without a restart; only the replica
    /// that recreates it logs the incident. False when <paramref name="exception"/> is not NOGROUP.
    /// </summary>
    public async Task<bool> HealIfLostAsync(Exception exception)
    {
        if (exception is not RedisServerException || !exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            if (await CreateAsync())
            {
                LogGroupRecreated(logger, options.ConsumerGroup, options.StreamName);
            }
        }
        catch (Exception createFailure) when (createFailure.IsRedisOutage())
        {
            outages.Failed("create-group", createFailure);
        }

        return true;
    }

    /// <summary>
    /// Creates the consumer group (and the stream) unless it exists; true when this call created it. From "0":
    /// jobs enqueued before any consumer (or the group) existed are delivered too.
    /// </summary>
    private async Task<bool> CreateAsync()
    {
        try
        {
            return await redis.GetDatabase().StreamCreateConsumerGroupAsync(options.StreamName, options.ConsumerGroup, "0-0", createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer group {Group} of {Stream} was missing (Redis restarted empty or was flushed): recreated, consuming again")]
    private static partial void LogGroupRecreated(ILogger logger, string group, string stream);
}
