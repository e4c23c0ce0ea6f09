using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Rebuilds the due-schedule index from the database: adds every enabled schedule that is missing (with its
/// next occurrence after <c>now - CatchUpWindow</c>, or after its <c>lastNotified</c> if later, so that an
/// occurrence missed while no worker ran still fires) and drops entries whose schedule no longer exists.
/// Runs at start-up and on demand (<c>RebuildScheduleIndexJob</c>); a Redis lock lets one replica at a time do it.
/// </summary>
public sealed partial class ScheduleIndexRebuilder(
    IFirebaseDatabase database,
    DueScheduleIndex index,
    IConnectionMultiplexer redis,
    IOptions<SchedulerOptions> options,
    TimeProvider clock,
    ILogger<ScheduleIndexRebuilder> logger)
{
    public const string LockKey = "authapp:schedules:rebuild:lock";
    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(15);

    /// <summary>Null when another replica holds the rebuild lock.</summary>
    public async Task<RebuildSummary?> RebuildAsync(CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var redisDatabase = redis.GetDatabase();
        if (!await redisDatabase.StringSetAsync(LockKey, token, LockTtl, When.NotExists))
        {
            LogLocked(logger);
            return null;
        }

        using var activity = SchedulerTelemetry.ActivitySource.StartActivity("schedule index rebuild");
        var started = Stopwatch.GetTimestamp();
        try
        {
            var summary = await RebuildCoreAsync(cancellationToken);
            activity?.SetTag("authapp.rebuild.users", summary.Users);
            activity?.SetTag("authapp.rebuild.added", summary.Added);
            LogRebuilt(logger, summary.Users, summary.Schedules, summary.Added, summary.Removed, Stopwatch.GetElapsedTime(started));
            return summary;
        }
        finally
        {
            await redisDatabase.ScriptEvaluateAsync(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                [LockKey], [token]);
        }
    }

    private async Task<RebuildSummary> RebuildCoreAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var baseline = clock.GetUtcNow() - settings.CatchUpWindow;
        // A shallow read lists the uids only; each user's schedules are then read on their own, so memory
        // stays bounded by the parallelism instead of holding the whole database at once.
        var uids = await database.GetChildKeysAsync(UserPaths.Users, cancellationToken);
        var indexed = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
        var schedules = 0;
        var added = 0;
        await Parallel.ForEachAsync(uids, new ParallelOptions { MaxDegreeOfParallelism = settings.RebuildParallelism, CancellationToken = cancellationToken },
            async (uid, token) =>
            {
                var schedulesRead = database.GetAsync(UserPaths.Schedules(uid), cancellationToken: token);
                var zoneRead = database.GetAsync(UserPaths.Field(uid, UserFields.TimeZone), cancellationToken: token);
                var userZone = await zoneRead is JsonValue zone ? zone.ToString() : null;
                foreach (var (venue, devices) in await schedulesRead as JsonObject ?? [])
                {
                    foreach (var (device, definition) in devices as JsonObject ?? [])
                    {
                        if (definition is not JsonObject schedule || Next(schedule, userZone, baseline) is not { } next)
                        {
                            continue;
                        }

                        var id = new ScheduleId(uid, venue, device);
                        indexed[id.ToString()] = 0;
                        Interlocked.Increment(ref schedules);
                        if (await index.AddIfMissingAsync(id, next))
                        {
                            Interlocked.Increment(ref added);
                        }
                    }
                }
            });

        var removed = await RemoveStaleAsync(indexed, cancellationToken);
        return new RebuildSummary(uids.Count, schedules, added, removed);
    }

    /// <summary>The next occurrence to index, or null when the schedule is disabled or unreadable.</summary>
    internal static DateTimeOffset? Next(JsonObject schedule, string? userZone, DateTimeOffset baseline)
    {
        if (ScheduleTiming.Of(schedule, userZone) is not { } timing)
        {
            return null;
        }

        var after = baseline;
        if (schedule["lastNotified"] is JsonValue last && last.TryGetValue(out long lastNotified)
            && DateTimeOffset.FromUnixTimeSeconds(lastNotified) > after)
        {
            // Never index an occurrence that already fired.
            after = DateTimeOffset.FromUnixTimeSeconds(lastNotified);
        }

        return timing.Next(after);
    }

    private async Task<int> RemoveStaleAsync(ConcurrentDictionary<string, byte> indexed, CancellationToken cancellationToken)
    {
        var removed = 0;
        await foreach (var entry in redis.GetDatabase().SortedSetScanAsync(DueScheduleIndex.DueKey, pageSize: 1000))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (indexed.ContainsKey(entry.Element!) || !ScheduleId.TryParse(entry.Element, out var id))
            {
                continue;
            }

            // Not seen in the pass: re-read it, since the API may have written it after its user was read.
            if (await database.GetAsync(UserPaths.Schedule(id.Uid, id.Venue, id.Device), cancellationToken: cancellationToken) is JsonObject schedule
                && (string?)(schedule["status"] as JsonValue) == "enable")
            {
                continue;
            }

            if (await index.RemoveIfAtAsync(id, DateTimeOffset.FromUnixTimeSeconds((long)entry.Score)))
            {
                removed++;
            }
        }

        return removed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule index rebuild skipped: another replica holds the lock")]
    private static partial void LogLocked(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule index rebuilt: {Users} users, {Schedules} enabled schedules, {Added} added, {Removed} stale removed in {Elapsed}")]
    private static partial void LogRebuilt(ILogger logger, int users, int schedules, int added, int removed, TimeSpan elapsed);
}

public sealed record RebuildSummary(int Users, int Schedules, int Added, int Removed);
