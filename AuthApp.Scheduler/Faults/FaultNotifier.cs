using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.WorkQueue;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Faults;

/// <summary>
/// "Fault Detected", at most once per cooldown per user, for users whose first venue (key order) has a
/// non-empty <c>faults</c> text. Devices write <c>faults</c> straight into the database, so no write path tells
/// us; instead the replicas share passes over all users. A pass starts with one shallow read of <c>users</c>
/// (keys only) into a Redis list; every interval a replica pops the next page of uids from it (atomically, so no
/// two replicas examine a user twice in a pass) and reads, per user, only what the faults rule needs: the user's
/// venues, and the time of the last notice for a user who has a fault. Never a whole user record.
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

    /// <summary>The uids the current pass has yet to examine, in the database's key order.</summary>
    public const string PassKey = "authapp:faults:pass";

    public const string PassLockKey = "authapp:faults:pass:lock";
    public const string CooldownKeyPrefix = "authapp:faults:cooldown:";
    public const string LastNotificationField = UserFields.LastFaultNotification;

    private const int ListChunk = 1_000;

    private IDatabase Redis => redis.GetDatabase();

    /// <summary>Examines the next page of users (starting a new pass when the last one is done); returns how many were notified.</summary>
    public async Task<int> RunPageAsync(CancellationToken cancellationToken)
    {
        var pageSize = options.Value.PageSize;
        var uids = await Redis.ListLeftPopAsync(PassKey, pageSize) ?? [];
        if (uids.Length == 0 && await StartPassAsync(cancellationToken))
        {
            uids = await Redis.ListLeftPopAsync(PassKey, pageSize) ?? [];
        }

        if (uids.Length == 0)
        {
            return 0;
        }

        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("fault notifier page");
        telemetry.UsersScanned.Add(uids.Length);
        var notified = 0;
        await Parallel.ForEachAsync(uids.Select(uid => uid.ToString()),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.ReadParallelism, CancellationToken = cancellationToken },
            async (uid, token) =>
            {
                if (await NotifyIfFaultyAsync(uid, token))
                {
                    Interlocked.Increment(ref notified);
                }
            });

        activity?.SetTag("authapp.faults.users", uids.Length);
        activity?.SetTag("authapp.faults.notified", notified);
        return notified;
    }

    /// <summary>Lists every uid for a new pass (one replica does it); false when another replica is doing it.</summary>
    private async Task<bool> StartPassAsync(CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        if (!await Redis.StringSetAsync(PassLockKey, token, options.Value.Interval * 4, When.NotExists))
        {
            return false;
        }

        try
        {
            // Keys only: a user is a key and "true" here, whatever their record holds.
            var users = JsonShapes.AsObject(await database.GetShallowAsync(UserPaths.Users, cancellationToken)) ?? [];
            foreach (var chunk in users.Select(user => (RedisValue)user.Key).Chunk(ListChunk))
            {
                await Redis.ListRightPushAsync(PassKey, chunk);
            }

            return users.Count > 0;
        }
        finally
        {
            await Redis.ScriptEvaluateAsync(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                [PassLockKey], [token]);
        }
    }

    private async Task<bool> NotifyIfFaultyAsync(string uid, CancellationToken cancellationToken)
    {
        try
        {
            var faults = VenueData.FirstVenueFaults(await database.GetAsync(UserPaths.Venues(uid), cancellationToken: cancellationToken));
            if (faults.Length == 0)
            {
                return false;
            }

            var now = clock.GetUtcNow();
            var last = JsonShapes.Integer(await database.GetAsync(UserPaths.Field(uid, LastNotificationField), cancellationToken: cancellationToken));
            if (!Cooldown.IsOver(last, now, options.Value.Cooldown))
            {
                return false;
            }

            // The database field is the durable record (as in the original); the Redis key makes the decision
            // atomic when two replicas ever look at the same user at once.
            if (!await Redis.StringSetAsync(CooldownKeyPrefix + uid, now.ToUnixTimeSeconds(), options.Value.Cooldown, When.NotExists))
            {
                return false;
            }

            await queue.EnqueueAsync(SendPushJob.Once(uid, Title, faults), cancellationToken);
            await database.SetAsync(UserPaths.Field(uid, LastNotificationField), JsonValue.Create(now.ToUnixTimeSeconds()), cancellationToken);
            telemetry.FaultsNotified.Add(1);
            LogNotified(logger, uid);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One user's data (or a failed read) never stops the page; the next pass looks again.
            LogUserFailed(logger, uid, exception.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fault notification enqueued for user {Uid}")]
    private static partial void LogNotified(ILogger logger, string uid);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault check of user {Uid} failed ({ErrorType}); looked at again next pass")]
    private static partial void LogUserFailed(ILogger logger, string uid, string errorType);
}

/// <summary>The fault notifier's once-per-period rule.</summary>
public static class Cooldown
{
    /// <summary>True when nothing was sent yet, or the last notification is at least <paramref name="period"/> old.</summary>
    public static bool IsOver(long? lastNotifiedUnixSeconds, DateTimeOffset now, TimeSpan period) =>
        lastNotifiedUnixSeconds is not { } last || now - DateTimeOffset.FromUnixTimeSeconds(last) >= period;
}
