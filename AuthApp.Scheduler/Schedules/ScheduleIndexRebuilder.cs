using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Rebuilds the due-schedule index from the database, which is the source of truth for schedules: adds every
/// enabled schedule that is missing (with its next occurrence after <c>now - CatchUpWindow</c>, or after its
/// <c>lastNotified</c> if later, so that an occurrence missed while no worker ran still fires and one that fired
/// never fires again), re-admits quarantined entries whose schedule is readable, and drops entries whose schedule
/// no longer fires. Runs when the index is missing or its marker expired (see <see cref="IndexRebuildTrigger"/>)
/// and on demand (<c>RebuildScheduleIndexJob</c>); a Redis lock lets one replica at a time do it.
/// <para>
/// It reads <c>users</c> in pages ordered by key (one request per <see cref="SchedulerOptions.RebuildPageSize"/>
/// users, the next page fetched while the current one is indexed), so memory is bounded by the page, and each
/// user is read once. One bad user record never aborts it: it is counted and logged.
/// </para>
/// </summary>
public sealed partial class ScheduleIndexRebuilder(
    IFirebaseDatabase database,
    IConnectionMultiplexer redis,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleIndexRebuilder> logger)
{
    public const string LockKey = "authapp:schedules:rebuild:lock";

    /// <summary>The uids a rebuild has seen, so that entries of users who no longer exist are found without holding them in memory.</summary>
    public const string SeenKey = "authapp:schedules:rebuild:seen";

    /// <summary>Renewed with every page: only a rebuild that stopped making progress loses it.</summary>
    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(5);

    private const int BadUsersLogged = 10;

    /// <summary>Null when another replica holds the rebuild lock.</summary>
    public async Task<RebuildSummary?> RebuildAsync(CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        if (!await Redis.StringSetAsync(LockKey, token, LockTtl, When.NotExists))
        {
            LogLocked(logger);
            return null;
        }

        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("schedule index rebuild");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var summary = await RebuildCoreAsync(token, cancellationToken);
            activity?.SetTag("authapp.rebuild.users", summary.Users);
            activity?.SetTag("authapp.rebuild.added", summary.Added);
            if (summary.Completed)
            {
                LogRebuilt(logger, summary.Users, summary.Schedules, summary.Added, summary.Readmitted, summary.Removed, summary.BadUsers, Stopwatch.GetElapsedTime(started));
            }
            else
            {
                LogLostLock(logger, summary.Users);
            }

            return summary;
        }
        finally
        {
            await ReleaseLockAsync(token);
        }
    }

    private async Task<RebuildSummary> RebuildCoreAsync(string token, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var baseline = clock.GetUtcNow() - settings.CatchUpWindow;
        var counts = new RebuildCounts();
        await Redis.KeyDeleteAsync(SeenKey);

        var pending = ReadPageAsync(null, cancellationToken);
        while (true)
        {
            var page = await pending;
            pending = page.More ? ReadPageAsync(page.LastKey, cancellationToken) : Task.FromResult(UserPage.End);
            try
            {
                await IndexPageAsync(page.Users, baseline, counts);
                if (!await RenewLockAsync(token))
                {
                    // Redis lost its data (or the lock) mid-way: what was indexed stays, the marker is not set, and
                    // the next cycle starts over.
                    await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return counts.Summary(completed: false);
                }
            }
            catch
            {
                await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                throw;
            }

            if (!page.More)
            {
                break;
            }
        }

        await RemoveVanishedAsync(counts);
        return counts.Summary(completed: await FinishAsync(token));
    }

    /// <summary>One page of users in key order (<c>startAt</c> is inclusive: one more to make up for the cursor).</summary>
    private async Task<UserPage> ReadPageAsync(string? after, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.RebuildPageSize;
        var query = DatabaseQuery.OrderByKey() with
        {
            StartAt = after is null ? null : JsonValue.Create(after),
            LimitToFirst = pageSize + (after is null ? 0 : 1),
        };
        var page = JsonShapes.AsObject(await database.GetAsync(UserPaths.Users, query, cancellationToken)) ?? [];
        var users = page.Where(user => user.Key != after).ToList();
        return new UserPage(users, users.Count > 0 ? users[^1].Key : after, users.Count >= pageSize);
    }

    private async Task IndexPageAsync(IReadOnlyList<KeyValuePair<string, JsonNode?>> users, DateTimeOffset baseline, RebuildCounts counts)
    {
        var page = new List<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)>(users.Count);
        foreach (var (uid, record) in users)
        {
            try
            {
                page.Add((uid, IndexableSchedules(uid, record, baseline).Select(entry => (entry.Id.ToString(), entry.Next.ToUnixTimeSeconds())).ToList()));
            }
            catch (Exception exception)
            {
                // Whatever a client wrote, the rest of the database still gets indexed (its entries are checked one by one).
                page.Add((uid, []));
                if (++counts.BadUsers <= BadUsersLogged)
                {
                    LogBadUser(logger, uid, exception.GetType().Name);
                }
            }
        }

        var (added, readmitted, candidates) = await IndexAsync(page);
        counts.Users += users.Count;
        counts.Schedules += page.Sum(user => user.Entries.Count);
        counts.Added += added;
        counts.Readmitted += readmitted;
        counts.Removed += await RemoveStaleAsync(candidates);
    }

    /// <summary>The user's enabled, readable schedules and the next occurrence to index for each.</summary>
    private static IEnumerable<(ScheduleId Id, DateTimeOffset Next)> IndexableSchedules(string uid, JsonNode? record, DateTimeOffset baseline)
    {
        var user = JsonShapes.AsObject(record);
        var userZone = JsonShapes.Text(user?[UserFields.TimeZone]);
        foreach (var (venue, devices) in JsonShapes.AsObject(user?[UserFields.Schedules]) ?? [])
        {
            foreach (var (device, definition) in JsonShapes.AsObject(devices) ?? [])
            {
                if (ScheduleId.TryParse(new ScheduleId(uid, venue, device).ToString(), out var id)
                    && JsonShapes.AsObject(definition) is { } schedule
                    && Next(schedule, userZone, baseline) is { } next)
                {
                    yield return (id, next);
                }
            }
        }
    }

    /// <summary>The next occurrence to index, or null when the schedule is disabled or unreadable.</summary>
    internal static DateTimeOffset? Next(JsonObject schedule, string? userZone, DateTimeOffset baseline)
    {
        if (ScheduleTiming.Of(schedule, userZone) is not { } timing)
        {
            return null;
        }

        // Never index an occurrence that already fired.
        var after = JsonShapes.Integer(schedule[ScheduleFields.LastNotified]) is { } last && DateTimeOffset.FromUnixTimeSeconds(last) > baseline
            ? DateTimeOffset.FromUnixTimeSeconds(last)
            : baseline;
        return timing.Next(after);
    }

    /// <summary>
    /// Entries indexed for a user but not found firing in the pass (or for a user that no longer exists): each is
    /// re-read before it goes, since the API may have written it after its page was read.
    /// </summary>
    private async Task<int> RemoveStaleAsync(IReadOnlyList<(string Member, string Score)> candidates)
    {
        if (candidates.Count == 0)
        {
            return 0;
        }

        var stale = new ConcurrentBag<(string Member, string Score)>();
        await Parallel.ForEachAsync(candidates, new ParallelOptions { MaxDegreeOfParallelism = options.Value.ReadParallelism }, async (candidate, token) =>
        {
            try
            {
                if (!ScheduleId.TryParse(candidate.Member, out var id) || !await StillFiresAsync(id, token))
                {
                    stale.Add(candidate);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Kept when in doubt: a stale entry costs one read when it comes due, a lost one a missed schedule.
                LogCheckFailed(logger, candidate.Member, exception.GetType().Name);
            }
        });
        return await RemoveAsync([.. stale]);
    }

    private async Task<bool> StillFiresAsync(ScheduleId id, CancellationToken cancellationToken)
    {
        var schedule = database.GetAsync(UserPaths.Schedule(id.Uid, id.Venue, id.Device), cancellationToken: cancellationToken);
        var zone = database.GetAsync(UserPaths.Field(id.Uid, UserFields.TimeZone), cancellationToken: cancellationToken);
        return JsonShapes.AsObject(await schedule) is { } definition && ScheduleTiming.Of(definition, JsonShapes.Text(await zone)) is not null;
    }

    private async Task RemoveVanishedAsync(RebuildCounts counts) =>
        counts.Removed += await RemoveStaleAsync(await UnseenAsync());

    private IDatabase Redis => redis.GetDatabase();

    private sealed record UserPage(IReadOnlyList<KeyValuePair<string, JsonNode?>> Users, string? LastKey, bool More)
    {
        public static readonly UserPage End = new([], null, false);
    }

    private sealed class RebuildCounts
    {
        public int Users;
        public int Schedules;
        public int Added;
        public int Readmitted;
        public int Removed;
        public int BadUsers;

        public RebuildSummary Summary(bool completed) => new(Users, Schedules, Added, Readmitted, Removed, BadUsers, completed);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule index rebuild skipped: another replica holds the lock")]
    private static partial void LogLocked(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule index rebuilt: {Users} users, {Schedules} enabled schedules, {Added} added, {Readmitted} out of quarantine, {Removed} stale removed, {BadUsers} unreadable users, in {Elapsed}")]
    private static partial void LogRebuilt(ILogger logger, int users, int schedules, int added, int readmitted, int removed, int badUsers, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild lost its lock after {Users} users (Redis lost its data?): stopped, started again by the next cycle")]
    private static partial void LogLostLock(ILogger logger, int users);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild: could not check whether {Schedule} still fires ({ErrorType}); kept")]
    private static partial void LogCheckFailed(ILogger logger, string schedule, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild: user {Uid} could not be read ({ErrorType}); skipped")]
    private static partial void LogBadUser(ILogger logger, string uid, string errorType);
}

/// <summary>
/// What a rebuild did. <see cref="Completed"/> is false when it lost its lock mid-way (the index is then not marked
/// built, and the next cycle rebuilds again).
/// </summary>
public sealed record RebuildSummary(int Users, int Schedules, int Added, int Readmitted, int Removed, int BadUsers, bool Completed);
