using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.WorkQueue;
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
    IWorkQueue queue,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleIndexRebuilder> logger)
{
    public const string LockKey = "authapp:schedules:rebuild:lock";

    /// <summary>Renewed with every page: only a rebuild that stopped making progress loses it.</summary>
    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(5);

    private const int BadUsersLogged = 10;

    /// <summary>A user's whole record past this is not buffered by the rebuild: it is read field by field.</summary>
    private const int MaxUserBytes = 2 * UserDataLimits.MaxSubtreeBytes;

    /// <summary>Index entries a page holds at most before it is written to Redis: a page is bounded by size, not only by users.</summary>
    private const int MaxPageEntries = 20_000;

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
                LogRebuilt(logger, summary.Users, summary.Schedules, summary.Added, summary.Readmitted, summary.Removed, summary.BadUsers,
                    summary.DeletionsResumed, Stopwatch.GetElapsedTime(started));
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
        await MarkShardsAsync(token);

        var pending = ReadPageAsync(null, baseline, counts, cancellationToken);
        while (true)
        {
            var page = await pending;
            pending = page.More ? ReadPageAsync(page.LastKey, baseline, counts, cancellationToken) : Task.FromResult(UserPage.End);
            try
            {
                await IndexPageAsync(page.Users, counts);
                counts.DeletionsResumed += await ResumeDeletionsAsync(page.Deletions);
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

    /// <summary>
    /// One page of users in key order (<c>startAt</c> is inclusive: one more to make up for the cursor), streamed: each
    /// user is turned into its index entries as it arrives and only those are kept. A user whose record is larger than
    /// <see cref="MaxUserBytes"/> is skipped in the stream (never buffered) and read field by field instead; a page stops
    /// early once it holds <see cref="MaxPageEntries"/> entries (the next one starts after its last user), so memory is
    /// bounded by size, not only by the number of users.
    /// </summary>
    private async Task<UserPage> ReadPageAsync(string? after, DateTimeOffset baseline, RebuildCounts counts, CancellationToken cancellationToken)
    {
        var pageSize = options.Value.RebuildPageSize;
        var query = DatabaseQuery.OrderByKey() with
        {
            StartAt = after is null ? null : JsonValue.Create(after),
            LimitToFirst = pageSize + (after is null ? 0 : 1),
        };
        var users = new List<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)>();
        var deletions = new List<string>();
        var (read, entries, last) = (0, 0, after);
        await foreach (var user in database.GetChildrenAsync(UserPaths.Users, query, MaxUserBytes, cancellationToken))
        {
            if (user.Key == after)
            {
                continue;
            }

            read++;
            var (indexable, deleting) = await IndexableSchedulesAsync(user, baseline, counts, cancellationToken);
            users.Add((user.Key, indexable));
            if (deleting)
            {
                deletions.Add(user.Key);
            }

            (entries, last) = (entries + indexable.Count, user.Key);
            if (entries >= MaxPageEntries)
            {
                return new UserPage(users, deletions, last, More: true);
            }
        }

        return new UserPage(users, deletions, last, read >= pageSize);
    }

    /// <summary>The user's index entries, and whether the record shows an account deletion that was accepted.</summary>
    private async Task<(IReadOnlyList<(string Member, long Next)> Entries, bool Deleting)> IndexableSchedulesAsync(
        DatabaseChild user, DateTimeOffset baseline, RebuildCounts counts, CancellationToken cancellationToken)
    {
        try
        {
            var record = user.TooLarge ? await ReadUserByFieldsAsync(user.Key, cancellationToken) : user.Value;
            var (entries, problem) = IndexableSchedules(user.Key, record, baseline, clock.GetUtcNow());
            if (problem is not null)
            {
                BadUser(user.Key, $"{problem.Field}: {problem.Reason}");
            }

            return (entries, IsBeingDeleted(record));
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever a client wrote, the rest of the database still gets indexed (its entries are checked one by one).
            BadUser(user.Key, exception.GetType().Name);
            return ([], false);
        }

        void BadUser(string uid, string reason)
        {
            if (Interlocked.Increment(ref counts.BadUsers) <= BadUsersLogged)
            {
                LogBadUser(logger, UserHash.Of(uid), reason);
            }
        }
    }

    /// <summary>
    /// What the rebuild needs of a user who stored more than <see cref="MaxUserBytes"/>: their time zone, schedules and
    /// access flag, each read within its own bound (schedules past <see cref="UserDataLimits.MaxSubtreeBytes"/> fail this
    /// user alone).
    /// </summary>
    private async Task<JsonNode> ReadUserByFieldsAsync(string uid, CancellationToken cancellationToken)
    {
        var zone = UserRecords.ReadValueAsync(database, UserPaths.Field(uid, UserFields.TimeZone), cancellationToken);
        var access = UserRecords.ReadValueAsync(database, UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken);
        var schedules = database.GetAsync(UserPaths.Schedules(uid), null, UserDataLimits.MaxSubtreeBytes, cancellationToken);
        await Task.WhenAll(zone, access, schedules);
        return new JsonObject
        {
            [UserFields.TimeZone] = (await zone)?.DeepClone(),
            [UserFields.VerifiedAccess] = (await access)?.DeepClone(),
            [UserFields.Schedules] = (await schedules)?.DeepClone(),
        };
    }

    /// <summary>
    /// <c>verifiedAccess: false</c> is written by an account deletion only (the API's, then its clean-up job's), and the
    /// record goes when the job finishes: a record that still shows it is a deletion whose job has not run yet, or was
    /// lost with the Redis that held it (a failover, a restart that lost the last second). Only the service can write
    /// the flag (the rules).
    /// </summary>
    private static bool IsBeingDeleted(JsonNode? record) =>
        JsonShapes.AsObject(record)?[UserFields.VerifiedAccess]?.GetValueKind() == JsonValueKind.False;

    /// <summary>
    /// Queues the clean-up of every account deletion the page showed unfinished: the job is idempotent and queued once
    /// per account at a time (<see cref="AccountCleanupJob.IdempotencyKey"/>), so one still queued is not added again,
    /// and one that was lost is. The rebuild runs after every Redis restart or failover, so a deletion always finishes.
    /// </summary>
    private async Task<int> ResumeDeletionsAsync(IReadOnlyList<string> uids)
    {
        if (uids.Count > 0)
        {
            await queue.EnqueueManyAsync([.. uids.Select(uid => new AccountCleanupJob(uid))]);
        }

        return uids.Count;
    }

    private async Task IndexPageAsync(IReadOnlyList<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)> page, RebuildCounts counts)
    {
        var (added, readmitted, candidates) = await IndexAsync(page);
        counts.Users += page.Count;
        counts.Schedules += page.Sum(user => user.Entries.Count);
        counts.Added += added;
        counts.Readmitted += readmitted;
        counts.Removed += await RemoveStaleAsync(candidates);
    }

    /// <summary>
    /// The user's enabled, readable schedules and the next occurrence to index for each: at most
    /// <see cref="UserDataLimits.MaxSchedules"/>, in key order, however many a client wrote; and the first stored field
    /// that could not be understood.
    /// </summary>
    internal static (IReadOnlyList<(string Member, long Next)> Entries, DataProblem? Problem) IndexableSchedules(
        string uid, JsonNode? record, DateTimeOffset baseline, DateTimeOffset now)
    {
        var entries = new List<(string Member, long Next)>();
        var user = JsonShapes.AsObject(record);
        var schedules = JsonShapes.AsObject(user?[UserFields.Schedules]);
        var first = user is null ? new DataProblem("", "not an object")
            : schedules is null && user[UserFields.Schedules] is not null ? new DataProblem(UserFields.Schedules, "not an object")
            : null;
        var userZone = user?[UserFields.TimeZone];
        foreach (var (venue, devices) in (schedules ?? []).OrderBy(venue => venue.Key, JsonShapes.KeyOrder))
        {
            var stored = JsonShapes.AsObject(devices);
            first ??= stored is null ? new DataProblem($"{UserFields.Schedules}/{venue}", "not an object") : null;
            foreach (var (device, schedule) in (stored ?? []).OrderBy(device => device.Key, JsonShapes.KeyOrder))
            {
                if (!ScheduleId.TryParse(new ScheduleId(uid, venue, device).ToString(), out var id))
                {
                    continue;
                }

                var definition = ScheduleDefinition.Read(id, schedule, userZone, now);
                first ??= definition.Problem;
                if (definition is { Fires: true, Timing: { } timing })
                {
                    entries.Add((id.ToString(), Next(timing, definition.LastNotified, baseline).ToUnixTimeSeconds()));
                    if (entries.Count == UserDataLimits.MaxSchedules)
                    {
                        return (entries, first);
                    }
                }
            }
        }

        return (entries, first);
    }

    /// <summary>The next occurrence to index: after the catch-up baseline, or after the last firing if later (never one that fired).</summary>
    internal static DateTimeOffset Next(ScheduleTiming timing, DateTimeOffset? lastNotified, DateTimeOffset baseline) =>
        timing.Next(lastNotified is { } last && last > baseline ? last : baseline);

    /// <summary>
    /// Entries indexed for a user but not found firing in the pass (or for a user that no longer exists): each is
    /// re-read before it goes, since the API may have written it after its page was read.
    /// </summary>
    private async Task<int> RemoveStaleAsync(IReadOnlyList<Candidate> candidates)
    {
        if (candidates.Count == 0)
        {
            return 0;
        }

        var stale = new ConcurrentBag<Candidate>();
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
        var schedule = UserRecords.ReadValueAsync(database, UserPaths.Schedule(id.Uid, id.Venue, id.Device), cancellationToken);
        var zone = UserRecords.ReadValueAsync(database, UserPaths.Field(id.Uid, UserFields.TimeZone), cancellationToken);
        return ScheduleDefinition.Read(id, await schedule, await zone, clock.GetUtcNow()).Fires;
    }

    private async Task RemoveVanishedAsync(RebuildCounts counts) =>
        counts.Removed += await RemoveStaleAsync(await UnseenAsync());

    private IDatabase Redis => redis.GetDatabase();

    private sealed record UserPage(
        IReadOnlyList<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)> Users, IReadOnlyList<string> Deletions, string? LastKey, bool More)
    {
        public static readonly UserPage End = new([], [], null, false);
    }

    private sealed class RebuildCounts
    {
        public int Users;
        public int Schedules;
        public int Added;
        public int Readmitted;
        public int Removed;
        public int BadUsers;  // incremented from the page reader, concurrently with the page being indexed
        public int DeletionsResumed;

        public RebuildSummary Summary(bool completed) => new(Users, Schedules, Added, Readmitted, Removed, BadUsers, DeletionsResumed, completed);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schedule index rebuild skipped: another replica holds the lock")]
    private static partial void LogLocked(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule index rebuilt: {Users} users, {Schedules} enabled schedules, {Added} added, {Readmitted} out of quarantine, {Removed} stale removed, {BadUsers} unreadable users, {DeletionsResumed} unfinished account deletions queued, in {Elapsed}")]
    private static partial void LogRebuilt(ILogger logger, int users, int schedules, int added, int readmitted, int removed, int badUsers, int deletionsResumed, TimeSpan elapsed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild lost its lock after {Users} users (Redis lost its data?): stopped, started again by the next cycle")]
    private static partial void LogLostLock(ILogger logger, int users);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild: could not check whether {Schedule} still fires ({ErrorType}); kept")]
    private static partial void LogCheckFailed(ILogger logger, string schedule, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule index rebuild: user {UserHash} holds data it cannot use ({Reason}); what cannot be read is not indexed")]
    private static partial void LogBadUser(ILogger logger, string userHash, string reason);
}

/// <summary>
/// What a rebuild did. <see cref="DeletionsResumed"/> counts the unfinished account deletions it queued the clean-up of.
/// <see cref="Completed"/> is false when it lost its lock mid-way (the index is then not marked built, and the next
/// cycle rebuilds again).
/// </summary>
public sealed record RebuildSummary(int Users, int Schedules, int Added, int Readmitted, int Removed, int BadUsers, int DeletionsResumed, bool Completed);
