using System.Globalization;
using AuthApp.Domain.Schedules;
using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The rebuild's Redis side (the scripts are in <see cref="ScheduleIndexScripts"/>): one script per shard of each page,
/// the stale-entry removal, the lock and the built markers. Each shard's part is one script on that shard's keys (one
/// slot of a cluster); the shards' parts of a page run concurrently.
/// </summary>
public sealed partial class ScheduleIndexRebuilder
{
    private static RedisKey[] PageKeys(ScheduleIndexShard shard) => shard.IndexKeys(shard.SeenKey, shard.UsersKey);

    /// <summary>
    /// Marks every shard as being rebuilt by this token, in its Redis's current epoch (a shard that loses its data, or
    /// whose Redis restarts or fails over, mid-way loses the mark and is not marked built at the end), and forgets what
    /// an earlier rebuild saw.
    /// </summary>
    private async Task MarkShardsAsync(string token) =>
        await Task.WhenAll(ScheduleIndexShard.All.Select(shard =>
            Redis.ScriptEvaluateAsync(ScheduleIndexScripts.BeginShard, [shard.RebuildKey, shard.SeenKey], [token, (long)LockTtl.TotalMilliseconds])));

    /// <summary>
    /// Adds the page's schedules that are missing (a pending occurrence, or one a replica holds, is kept), re-admits
    /// quarantined ones, marks the page's users seen, and returns the entries indexed for those users that the page
    /// did not show firing (with their current score, "" when not in the due set). A few commands per user, not per
    /// schedule.
    /// </summary>
    private async Task<(int Added, int Readmitted, IReadOnlyList<Candidate> Candidates)> IndexAsync(
        IReadOnlyList<(string Uid, IReadOnlyList<(string Member, long Next)> Entries)> users)
    {
        var parts = await Task.WhenAll(users.GroupBy(user => ScheduleIndexShard.Of(user.Uid)).Select(async shardUsers =>
        {
            var args = new List<RedisValue> { (long)LockTtl.TotalMilliseconds };
            foreach (var (uid, entries) in shardUsers)
            {
                args.Add(uid);
                args.Add(entries.Count);
                foreach (var (member, next) in entries)
                {
                    args.Add(member);
                    args.Add(next);
                }
            }

            var result = (RedisResult[])(await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.IndexPage, PageKeys(shardUsers.Key), [.. args]))!;
            return ((int)result[0], (int)result[1], Candidates(shardUsers.Key, (RedisResult[])result[2]!));
        }));
        return (parts.Sum(part => part.Item1), parts.Sum(part => part.Item2), [.. parts.SelectMany(part => part.Item3)]);
    }

    /// <summary>The entries (and quarantined entries) of users the pass never saw: users deleted from the database.</summary>
    private async Task<IReadOnlyList<Candidate>> UnseenAsync()
    {
        var parts = await Task.WhenAll(ScheduleIndexShard.All.Select(async shard =>
            Candidates(shard, (RedisResult[])(await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.Unseen, PageKeys(shard)))!)));
        return [.. parts.SelectMany(part => part)];
    }

    /// <summary>Drops entries that were checked stale, unless a replica holds them or the API moved them since.</summary>
    private async Task<int> RemoveAsync(IReadOnlyList<Candidate> stale)
    {
        var removed = await Task.WhenAll(stale.GroupBy(candidate => candidate.Shard).Select(async shardStale =>
        {
            var args = new List<RedisValue>();
            foreach (var candidate in shardStale)
            {
                args.Add(candidate.Member);
                args.Add(candidate.Score);
            }

            return (int)await Redis.ScriptEvaluateAsync(ScheduleIndexScripts.RemoveStale, PageKeys(shardStale.Key), [.. args]);
        }));
        return removed.Sum();
    }

    /// <summary>
    /// Extends the lock and every shard's mark; false when any of them is gone: Redis, or a master, lost its data, or
    /// restarted or failed over (which may have lost some) since the rebuild began.
    /// </summary>
    private async Task<bool> RenewLockAsync(string token)
    {
        var ttl = (long)LockTtl.TotalMilliseconds;
        var renewed = await Task.WhenAll(ScheduleIndexShard.All
            .Select(shard => Redis.ScriptEvaluateAsync(ScheduleIndexScripts.RenewShard, [shard.RebuildKey], [token, ttl]))
            .Prepend(Redis.ScriptEvaluateAsync(ScheduleIndexScripts.RenewLock, [LockKey], [token, ttl])));
        return renewed.All(result => (int)result == 1);
    }

    /// <summary>
    /// Marks each shard built (for <c>RebuildInterval</c>) that still carries this rebuild's mark; true when all of
    /// them did. A shard that did not stays unbuilt, and the next cycle rebuilds.
    /// </summary>
    private async Task<bool> FinishAsync(string token)
    {
        var builtAt = clock.GetUtcNow().ToUnixTimeSeconds();
        var ttl = (long)options.Value.RebuildInterval.TotalMilliseconds;
        var finished = await Task.WhenAll(ScheduleIndexShard.All.Select(shard =>
            Redis.ScriptEvaluateAsync(ScheduleIndexScripts.FinishShard, [shard.RebuildKey, shard.BuiltKey, shard.SeenKey], [token, builtAt, ttl])));
        return finished.All(result => (int)result == 1);
    }

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

    private static IReadOnlyList<Candidate> Candidates(ScheduleIndexShard shard, RedisResult[] flat)
    {
        var candidates = new List<Candidate>(flat.Length / 2);
        for (var i = 0; i < flat.Length; i += 2)
        {
            candidates.Add(new(shard, (string)flat[i]!, flat[i + 1].IsNull ? "" : ((double)flat[i + 1]).ToString("R", CultureInfo.InvariantCulture)));
        }

        return candidates;
    }

    /// <summary>An index entry to check against the database: the score it had when seen ("" when not in the due set).</summary>
    private readonly record struct Candidate(ScheduleIndexShard Shard, string Member, string Score);
}
