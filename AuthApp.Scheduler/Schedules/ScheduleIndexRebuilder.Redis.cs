using System.Globalization;
using AuthApp.Domain.Schedules;
using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The rebuild's Redis side (the scripts are in <see cref="ScheduleIndexScripts"/>): one script per page, the
/// stale-entry removal, the lock and the built marker.
/// </summary>
public sealed partial class ScheduleIndexRebuilder
{
    private static readonly RedisKey[] IndexKeys =
        [DueScheduleIndex.DueKey, DueScheduleIndex.HeldKey, DueScheduleIndex.QuarantineKey, SeenKey, DueScheduleIndex.UsersKey];

    /// <summary>
    /// Adds the page's schedules that are missing (a pending occurrence, or one a replica holds, is kept), re-admits
    /// quarantined ones, marks the page's users seen, and returns the entries indexed for those users that the page
    /// did not show firing (with their current score, "" when not in the due set). A few commands per user, not per
    /// schedule.
    /// </summary>
    private async Task<(int Added, int Readmitted, IReadOnlyList<(string Member, string Score)> Candidates)> IndexAsync(
        IReadOnlyList<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)> users)
    {
        if (users.Count == 0)
        {
            return (0, 0, []);
        }

        var args = new List<RedisValue>(1 + (users.Count * 2) + (users.Sum(user => user.Entries.Count) * 2))
        {
            (long)LockTtl.TotalMilliseconds,
        };
        foreach (var (uid, entries) in users)
        {
            args.Add(uid);
            args.Add(entries.Count);
            foreach (var (member, next) in entries)
            {
                args.Add(member);
                args.Add(next);
            }
        }

        var result = (RedisResult[])(await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.IndexPage, IndexKeys, [.. args]))!;
        return ((int)result[0], (int)result[1], Pairs((RedisResult[])result[2]!));
    }

    /// <summary>The entries (and quarantined entries) of users the pass never saw: users deleted from the database.</summary>
    private async Task<IReadOnlyList<(string Member, string Score)>> UnseenAsync() =>
        Pairs((RedisResult[])(await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.Unseen, IndexKeys))!);

    /// <summary>Drops entries that were checked stale, unless a replica holds them or the API moved them since.</summary>
    private async Task<int> RemoveAsync(IReadOnlyList<(string Member, string Score)> stale)
    {
        if (stale.Count == 0)
        {
            return 0;
        }

        var args = new List<RedisValue>(stale.Count * 2);
        foreach (var (member, score) in stale)
        {
            args.Add(member);
            args.Add(score);
        }

        return (int)await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.RemoveStale, IndexKeys, [.. args]);
    }

    private async Task<bool> RenewLockAsync(string token) =>
        (int)await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.RenewLock, [LockKey], [token, (long)LockTtl.TotalMilliseconds]) == 1;

    /// <summary>Marks the index built (for <c>RebuildInterval</c>), only if this rebuild still holds its lock.</summary>
    private async Task<bool> FinishAsync(string token) =>
        (int)await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.FinishRebuild, [LockKey, DueScheduleIndex.BuiltKey, SeenKey],
            [token, clock.GetUtcNow().ToUnixTimeSeconds(), (long)options.Value.RebuildInterval.TotalMilliseconds]) == 1;

    private async Task ReleaseLockAsync(string token)
    {
        try
        {
            await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.ReleaseLock, [LockKey], [token]);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            // It expires on its own.
        }
    }

    private static IReadOnlyList<(string Member, string Score)> Pairs(RedisResult[] flat)
    {
        var pairs = new List<(string, string)>(flat.Length / 2);
        for (var i = 0; i < flat.Length; i += 2)
        {
            pairs.Add(((string)flat[i]!, flat[i + 1].IsNull ? "" : ((double)flat[i + 1]).ToString("R", CultureInfo.InvariantCulture)));
        }

        return pairs;
    }
}
