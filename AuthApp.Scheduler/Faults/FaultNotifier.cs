using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.ServiceDefaults.Telemetry;
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

    /// <summary>A stored notice time later than this past the clock is no time the server wrote.</summary>
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMinutes(1);

    private IDatabase Redis => redis.GetDatabase();

    /// <summary>
    /// Examines the next page of users (starting a new pass when the last one is done); returns how many were notified.
    /// Looking is not traced (<see cref="IdleWork.StartPoll"/>): a page without a user to notify leaves no span, however
    /// many users it read; <c>authapp.scheduler.faults.users_scanned</c> counts them. Each notification is a trace.
    /// </summary>
    public async Task<int> RunPageAsync(CancellationToken cancellationToken)
    {
        var uids = await NextPageAsync(cancellationToken);
        if (uids.Length == 0)
        {
            return 0;
        }

        telemetry.UsersScanned.Add(uids.Length);
        var notified = 0;
        var problems = new ConcurrentBag<(string Uid, DataProblem Problem)>();
        await Parallel.ForEachAsync(uids.Select(uid => uid.ToString()),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.ReadParallelism, CancellationToken = cancellationToken },
            async (uid, token) =>
            {
                if (await NotifyIfFaultyAsync(uid, problems, token))
                {
                    Interlocked.Increment(ref notified);
                }
            });

        if (problems.TryPeek(out var first))
        {
            LogUnusableData(logger, problems.Select(problem => problem.Uid).Distinct().Count(), UserHash.Of(first.Uid), first.Problem.Field, first.Problem.Reason);
        }

        return notified;
    }

    /// <summary>The uids of the next page, listing every user first when a new pass starts (untraced: a poll).</summary>
    private async Task<RedisValue[]> NextPageAsync(CancellationToken cancellationToken)
    {
        using var poll = SchedulerTelemetry.ActivitySource.StartPoll("fault notifier page");
        var pageSize = options.Value.PageSize;
        var uids = await Redis.ListLeftPopAsync(PassKey, pageSize) ?? [];
        if (uids.Length == 0 && await StartPassAsync(cancellationToken))
        {
            uids = await Redis.ListLeftPopAsync(PassKey, pageSize) ?? [];
        }

        return uids;
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
            // Keys only, streamed into the list a chunk at a time: memory does not grow with the number of users,
            // and a user is a key here whatever their record holds.
            var listed = 0;
            var chunk = new List<RedisValue>(ListChunk);
            await foreach (var uid in database.GetChildKeysStreamAsync(UserPaths.Users, cancellationToken))
            {
                chunk.Add(uid);
                if (chunk.Count == ListChunk)
                {
                    listed += await PushAsync(chunk);
                }
            }

            listed += await PushAsync(chunk);
            return listed > 0;
        }
        finally
        {
            await Redis.ScriptEvaluateAsync(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                [PassLockKey], [token]);
        }

        async Task<int> PushAsync(List<RedisValue> uids)
        {
            if (uids.Count > 0)
            {
                await Redis.ListRightPushAsync(PassKey, [.. uids]);
            }

            var count = uids.Count;
            uids.Clear();
            return count;
        }
    }

    private async Task<bool> NotifyIfFaultyAsync(string uid, ConcurrentBag<(string Uid, DataProblem Problem)> problems, CancellationToken cancellationToken)
    {
        try
        {
            if (await DueNoticeAsync(uid, problems, cancellationToken) is not (string faults, DateTimeOffset now))
            {
                return false;
            }

            // Work found: a trace of its own (the look above was a poll, and has ended), with the push's enqueue in it.
            using var activity = SchedulerTelemetry.ActivitySource.StartActivity("fault notification");
            activity?.SetTag("authapp.user.hash", UserHash.Of(uid));
            await queue.EnqueueAsync(SendPushJob.Once(uid, Title, faults), cancellationToken);
            await database.SetAsync(UserPaths.Field(uid, LastNotificationField), JsonValue.Create(now.ToUnixTimeSeconds()), cancellationToken);
            telemetry.FaultsNotified.Add(1);
            LogNotified(logger, UserHash.Of(uid));
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // One user's data (or a failed read) never stops the page; the next pass looks again.
            LogUserFailed(logger, UserHash.Of(uid), exception.GetType().Name);
            return false;
        }
    }

    /// <summary>
    /// The user's fault text and the notice's time when one is due (a fault, the cooldown over, and this replica the
    /// one to send it), else null. A poll: its reads are not traced.
    /// </summary>
    private async Task<(string Faults, DateTimeOffset At)?> DueNoticeAsync(string uid, ConcurrentBag<(string Uid, DataProblem Problem)> problems, CancellationToken cancellationToken)
    {
        using var poll = SchedulerTelemetry.ActivitySource.StartPoll("fault check");
        var (text, unreadable) = await ReadFaultsAsync(uid, cancellationToken);
        if (unreadable is not null)
        {
            problems.Add((uid, unreadable));
        }

        if (text.Length == 0)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var last = JsonShapes.UnixSeconds(await UserRecords.ReadValueAsync(database, UserPaths.Field(uid, LastNotificationField), cancellationToken), now + ClockTolerance);
        if (last.Problem is { } ignored)
        {
            // Not a time the server wrote: notify as if none had been sent; the write that follows replaces it.
            problems.Add((uid, new DataProblem(LastNotificationField, ignored + "; ignored")));
        }

        if (!Cooldown.IsOver(last.HasValue ? last.Value : null, now, options.Value.Cooldown))
        {
            return null;
        }

        // The database field is the durable record (as in the original); the Redis key makes the decision
        // atomic when two replicas ever look at the same user at once.
        return await Redis.StringSetAsync(CooldownKeyPrefix + uid, now.ToUnixTimeSeconds(), options.Value.Cooldown, When.NotExists)
            ? (text, now)
            : null;
    }

    /// <summary>
    /// The faults rule (<see cref="VenueData.FirstVenueFaults"/>) from only what it needs: the venues' names (a shallow
    /// read) and the first venue's <c>faults</c>. Never the devices, never a megabyte a device wrote elsewhere.
    /// </summary>
    private async Task<(string Faults, DataProblem? Problem)> ReadFaultsAsync(string uid, CancellationToken cancellationToken)
    {
        JsonNode? names;
        try
        {
            names = await database.GetShallowAsync(UserPaths.Venues(uid), UserDataLimits.MaxSubtreeBytes, cancellationToken);
        }
        catch (DatabaseException exception) when (exception.Kind is DatabaseErrorKind.ResponseTooLarge or DatabaseErrorKind.InvalidResponse)
        {
            return ("", new DataProblem(UserFields.Venues, $"more than {UserDataLimits.MaxSubtreeBytes / 1024} KiB of venue names"));
        }

        if (VenueData.FirstVenueName(names) is not { } first)
        {
            return ("", null);
        }

        var stored = await database.GetAsync(UserPaths.VenueFaults(uid, first), null, UserRecords.MaxFieldBytes, cancellationToken);
        var faults = VenueData.Faults(stored);
        return faults.Problem is { } problem
            ? ("", new DataProblem($"{UserFields.Venues}/{first}/{VenueFields.Faults}", problem))
            : (faults.Value ?? "", null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fault notification enqueued for user {UserHash}")]
    private static partial void LogNotified(ILogger logger, string userHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault check of user {UserHash} failed ({ErrorType}); looked at again next pass")]
    private static partial void LogUserFailed(ILogger logger, string userHash, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault notifier: {Count} user(s) of the page hold fault data it cannot use (first: user {UserHash}, {Field}, {Reason})")]
    private static partial void LogUnusableData(ILogger logger, int count, string userHash, string field, string reason);
}

/// <summary>The fault notifier's once-per-period rule.</summary>
public static class Cooldown
{
    /// <summary>True when nothing was sent yet, or the last notification is at least <paramref name="period"/> old.</summary>
    public static bool IsOver(DateTimeOffset? lastNotified, DateTimeOffset now, TimeSpan period) =>
        lastNotified is not { } last || now - last >= period;
}
