using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using Microsoft.Extensions.Logging;
using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.Domain.Changes;

/// <summary>
/// Each user's change channel on Redis, and the one owner of its name and its messages: hosts announce what they
/// wrote once it landed (<see cref="WriteFollowUpDatabase"/> does it for every write) and what the worker skipped;
/// the API's live streams subscribe per user while that user is connected. A sharded channel (<c>SPUBLISH</c>), so
/// on a Redis Cluster a notice goes to the one shard that owns the user's channel, not to every node.
/// Pub/sub is at most once: a notice lost to a Redis outage is not sent again, and a stream then learns of a device's
/// change from the database's own stream (as <see cref="ChangeSource.Direct"/>).
/// </summary>
public sealed partial class UserChangeFeed(IConnectionMultiplexer redis, ChangeSource source, ILogger<UserChangeFeed> logger)
{
    /// <summary>
    /// A notice larger than this is not sent (the API's writes are a fraction of it; its body limit is 64 KiB): the
    /// streams then see the change through the database (as <see cref="ChangeSource.Direct"/>).
    /// </summary>
    public const int MaxNoticeBytes = 128 * 1024;

    private const string ChannelPrefix = "authapp:changes:";

    public static RedisChannel ChannelOf(string uid) => RedisChannel.Sharded(ChannelPrefix + uid);

    /// <summary>
    /// Announces <paramref name="writes"/> (full database paths; a null value removed the location), one notice per
    /// user they touched; writes outside users' records are nobody's and are not announced. Never waits for Redis and
    /// never throws: the write has landed, and an announcement is a courtesy to the live streams.
    /// </summary>
    public void AnnounceWrites(IEnumerable<(string Path, JsonNode? Value)> writes)
    {
        Dictionary<string, List<WrittenValue>>? byUser = null;
        foreach (var (path, value) in writes)
        {
            if (UserPaths.OwnerOf(path) is not { } uid)
            {
                continue;
            }

            var relative = UserPaths.RelativeToUser(uid, path);
            byUser ??= new(StringComparer.Ordinal);
            (byUser.TryGetValue(uid, out var list) ? list : byUser[uid] = []).Add(new WrittenValue(relative, value));
        }

        foreach (var (uid, list) in byUser ?? [])
        {
            Publish(uid, new ChangeNotice(source, list));
        }
    }

    /// <summary>Announces occurrences of <paramref name="uid"/>'s schedules that the worker skipped.</summary>
    public void AnnounceSkipped(string uid, IReadOnlyList<SkippedOccurrence> skipped)
    {
        if (skipped.Count > 0)
        {
            Publish(uid, new ChangeNotice(source, [], skipped));
        }
    }

    /// <summary>
    /// Calls <paramref name="onNotice"/> for every notice on <paramref name="uid"/>'s channel (on Redis's message
    /// thread, one at a time: keep it short) until the returned handle is disposed. A message that is not a notice is
    /// dropped. The subscription survives reconnections (the Redis client subscribes again).
    /// </summary>
    public async Task<IAsyncDisposable> SubscribeAsync(string uid, Action<ChangeNotice> onNotice)
    {
        var channel = ChannelOf(uid);
        Action<RedisChannel, RedisValue> handler = (_, message) =>
        {
            if (message.HasValue && ChangeNotice.Parse((byte[])message!) is { } notice)
            {
                onNotice(notice);
            }
            else
            {
                LogUnreadable(logger, UserHash.Of(uid));
            }
        };
        var subscriber = redis.GetSubscriber();
        await subscriber.SubscribeAsync(channel, handler).ConfigureAwait(false);
        return new Subscription(subscriber, channel, handler);
    }

    private void Publish(string uid, ChangeNotice notice)
    {
        try
        {
            var payload = notice.ToUtf8();
            if (payload.Length > MaxNoticeBytes)
            {
                LogTooLarge(logger, UserHash.Of(uid), payload.Length);
                return;
            }

            redis.GetSubscriber().Publish(ChannelOf(uid), payload, CommandFlags.FireAndForget);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            LogNotAnnounced(logger, UserHash.Of(uid), exception.GetType().Name);
        }
        catch (Exception exception)
        {
            LogAnnounceFailed(logger, exception, UserHash.Of(uid));
        }
    }

    private sealed class Subscription(ISubscriber subscriber, RedisChannel channel, Action<RedisChannel, RedisValue> handler) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await subscriber.UnsubscribeAsync(channel, handler).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception.IsRedisOutage() || exception is ObjectDisposedException)
            {
                // The connection is gone (or, at shutdown, the client itself), and its subscriptions with it.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A change of user {User} was not announced: Redis is away ({Failure})")]
    private static partial void LogNotAnnounced(ILogger logger, string user, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change of user {User} could not be announced")]
    private static partial void LogAnnounceFailed(ILogger logger, Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A change of user {User} was not announced: {Bytes} bytes is more than a notice carries")]
    private static partial void LogTooLarge(ILogger logger, string user, int bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message on the change channel of user {User} was not a change notice and was dropped")]
    private static partial void LogUnreadable(ILogger logger, string user);
}
