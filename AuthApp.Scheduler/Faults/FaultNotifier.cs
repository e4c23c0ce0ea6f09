using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Jobs;
using AuthApp.WorkQueue;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Faults;

/// <summary>
/// "Fault Detected", at most once per cooldown per user, for users whose first venue (key order) has a
/// non-empty <c>faults</c> text. Devices write <c>faults</c> straight into the database, so no write path
/// tells us; instead a rolling cursor pages through <c>users</c> by key, one page per interval, shared by
/// every replica (cursor and page lock in Redis): a full pass over N users takes N / PageSize intervals,
/// and each interval costs one bounded query rather than a download of the whole database.
/// </summary>
public sealed partial class FaultNotifier(
    IFirebaseDatabase database,
    IConnectionMultiplexer redis,
    IWorkQueue queue,
    SchedulerTelemetry telemetry,
    IOptions<FaultOptions> options,
    TimeProvider clock,
    ILogger<FaultNotifier> logger)
{
    public const string Title = "Fault Detected";
    public const string CursorKey = "authapp:faults:cursor";
    public const string PageLockKey = "authapp:faults:lock";
    public const string CooldownKeyPrefix = "authapp:faults:cooldown:";
    public const string LastNotificationField = UserFields.LastFaultNotification;

    /// <summary>Examines the next page of users; returns how many were notified (null when another replica holds the page lock).</summary>
    public async Task<int?> RunPageAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var redisDatabase = redis.GetDatabase();
        var token = Guid.NewGuid().ToString("N");
        if (!await redisDatabase.StringSetAsync(PageLockKey, token, settings.Interval * 4, When.NotExists))
        {
            return null;
        }

        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("fault notifier page");
        try
        {
            var cursor = (string?)await redisDatabase.StringGetAsync(CursorKey);
            var query = DatabaseQuery.OrderByKey() with
            {
                StartAt = string.IsNullOrEmpty(cursor) ? null : JsonValue.Create(cursor),
                // startAt is inclusive: one more to make up for the cursor itself.
                LimitToFirst = settings.PageSize + (string.IsNullOrEmpty(cursor) ? 0 : 1),
            };
            var page = await database.GetAsync(UserPaths.Users, query, cancellationToken) as JsonObject ?? [];
            var users = page.Where(user => user.Key != cursor).OrderBy(user => user.Key, StringComparer.Ordinal).ToList();
            telemetry.UsersScanned.Add(users.Count);

            var notified = 0;
            foreach (var (uid, user) in users)
            {
                if (user is JsonObject record && await NotifyIfFaultyAsync(uid, record, cancellationToken))
                {
                    notified++;
                }
            }

            // A short page ends the pass: the next one starts from the first user again.
            if (users.Count < settings.PageSize)
            {
                await redisDatabase.KeyDeleteAsync(CursorKey);
            }
            else
            {
                await redisDatabase.StringSetAsync(CursorKey, users[^1].Key);
            }

            activity?.SetTag("authapp.faults.users", users.Count);
            activity?.SetTag("authapp.faults.notified", notified);
            return notified;
        }
        finally
        {
            await redisDatabase.ScriptEvaluateAsync(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                [PageLockKey], [token]);
        }
    }

    private async Task<bool> NotifyIfFaultyAsync(string uid, JsonObject user, CancellationToken cancellationToken)
    {
        var faults = VenueData.FirstVenueFaults(user[UserFields.Venues]);
        if (faults.Length == 0)
        {
            return false;
        }

        var now = clock.GetUtcNow();
        var last = user[LastNotificationField] is JsonValue value && value.TryGetValue(out long seconds) ? seconds : (long?)null;
        if (!Cooldown.IsOver(last, now, options.Value.Cooldown))
        {
            return false;
        }

        // The database field is the durable record (as in the original); the Redis key makes the decision
        // atomic when two replicas ever look at the same user at once.
        if (!await redis.GetDatabase().StringSetAsync(CooldownKeyPrefix + uid, now.ToUnixTimeSeconds(), options.Value.Cooldown, When.NotExists))
        {
            return false;
        }

        await queue.EnqueueAsync(SendPushJob.Once(uid, Title, faults), cancellationToken);
        await database.UpdateAsync(UserPaths.User(uid),
            new Dictionary<string, JsonNode?> { [LastNotificationField] = now.ToUnixTimeSeconds() }, cancellationToken);
        telemetry.FaultsNotified.Add(1);
        LogNotified(logger, uid);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fault notification enqueued for user {Uid}")]
    private static partial void LogNotified(ILogger logger, string uid);
}

/// <summary>The fault notifier's once-per-period rule.</summary>
public static class Cooldown
{
    /// <summary>True when nothing was sent yet, or the last notification is at least <paramref name="period"/> old.</summary>
    public static bool IsOver(long? lastNotifiedUnixSeconds, DateTimeOffset now, TimeSpan period) =>
        lastNotifiedUnixSeconds is not { } last || now - DateTimeOffset.FromUnixTimeSeconds(last) >= period;
}
