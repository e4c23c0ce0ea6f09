using System.Globalization;
using AuthApp.Domain.Schedules;
using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>The rebuild's Redis side: one script per page, the stale-entry removal, the lock and the built marker.</summary>
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

        var args = new List<RedisValue>(2 + (users.Count * 2) + (users.Sum(user => user.Entries.Count) * 2))
        {
            DueScheduleIndex.UserKeyPrefix, (long)LockTtl.TotalMilliseconds, DueScheduleIndex.RemovedUserKeyPrefix,
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

        var result = (RedisResult[])(await Redis.ScriptEvaluateAsync(IndexPageScript, IndexKeys, [.. args]))!;
        return ((int)result[0], (int)result[1], Pairs((RedisResult[])result[2]!));
    }

    /// <summary>The entries (and quarantined entries) of users the pass never saw: users deleted from the database.</summary>
    private async Task<IReadOnlyList<(string Member, string Score)>> UnseenAsync() =>
        Pairs((RedisResult[])(await Redis.ScriptEvaluateAsync(UnseenScript, IndexKeys, [DueScheduleIndex.UserKeyPrefix]))!);

    /// <summary>Drops entries that were checked stale, unless a replica holds them or the API moved them since.</summary>
    private async Task<int> RemoveAsync(IReadOnlyList<(string Member, string Score)> stale)
    {
        if (stale.Count == 0)
        {
            return 0;
        }

        var args = new List<RedisValue>(1 + (stale.Count * 2)) { DueScheduleIndex.UserKeyPrefix };
        foreach (var (member, score) in stale)
        {
            args.Add(member);
            args.Add(score);
        }

        return (int)await Redis.ScriptEvaluateAsync(RemoveStaleScript, IndexKeys, [.. args]);
    }

    private async Task<bool> RenewLockAsync(string token) =>
        (int)await Redis.ScriptEvaluateAsync(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0",
            [LockKey], [token, (long)LockTtl.TotalMilliseconds]) == 1;

    /// <summary>Marks the index built (for <c>RebuildInterval</c>), only if this rebuild still holds its lock.</summary>
    private async Task<bool> FinishAsync(string token) =>
        (int)await Redis.ScriptEvaluateAsync("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
            redis.call('DEL', KEYS[3])
            return 1
            """,
            [LockKey, DueScheduleIndex.BuiltKey, SeenKey],
            [token, clock.GetUtcNow().ToUnixTimeSeconds(), (long)options.Value.RebuildInterval.TotalMilliseconds]) == 1;

    private async Task ReleaseLockAsync(string token)
    {
        try
        {
            await Redis.ScriptEvaluateAsync(
                "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                [LockKey], [token]);
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

    // KEYS: due, held, quarantine, seen.

    /// <summary>
    /// ARGV: user key prefix, seen ttl (ms), removed-user marker prefix, then per user: uid, n, n (member, next) pairs.
    /// A user whose account was deleted since the page was read (<see cref="DueScheduleIndex.RemovedUserKeyPrefix"/>)
    /// gets nothing indexed. Members go in chunks
    /// (unpack has a limit); a user's set is compared with the page only when it holds more than the page shows,
    /// and the quarantine only when it holds anything.
    /// </summary>
    private const string IndexPageScript = """
        local prefix = ARGV[1]
        local quarantine = redis.call('HLEN', KEYS[3]) > 0
        local added, readmitted, candidates, seen = 0, 0, {}, {}
        local i = 4
        while i <= #ARGV do
          local uid, read = ARGV[i], tonumber(ARGV[i + 1])
          local user = prefix .. uid
          seen[#seen + 1] = uid
          -- An account deleted since this page was read: index nothing of it.
          local n = redis.call('EXISTS', ARGV[3] .. uid) == 1 and 0 or read
          for first = 0, n - 1, 500 do
            local scored, members = {}, {}
            for j = first, math.min(first + 499, n - 1) do
              scored[#scored + 1] = ARGV[i + 3 + 2 * j]
              scored[#scored + 1] = ARGV[i + 2 + 2 * j]
              members[#members + 1] = ARGV[i + 2 + 2 * j]
            end
            added = added + redis.call('ZADD', KEYS[1], 'NX', unpack(scored))
            redis.call('SADD', user, unpack(members))
            if quarantine then
              readmitted = readmitted + redis.call('HDEL', KEYS[3], unpack(members))
            end
          end
          if n > 0 then
            redis.call('SADD', KEYS[5], uid)
          end
          if redis.call('SCARD', user) > n then
            local firing = {}
            for j = 0, n - 1 do firing[ARGV[i + 2 + 2 * j]] = true end
            for _, member in ipairs(redis.call('SMEMBERS', user)) do
              if not firing[member] then
                candidates[#candidates + 1] = member
                candidates[#candidates + 1] = redis.call('ZSCORE', KEYS[1], member)
              end
            end
          end
          if #seen == 500 then
            redis.call('SADD', KEYS[4], unpack(seen))
            seen = {}
          end
          i = i + 2 + 2 * read
        end
        if #seen > 0 then redis.call('SADD', KEYS[4], unpack(seen)) end
        redis.call('PEXPIRE', KEYS[4], ARGV[2])
        return { added, readmitted, candidates }
        """;

    /// <summary>
    /// ARGV: user key prefix. Returns (member, score) of the indexed and quarantined entries of users who have entries
    /// but were not in any page, and forgets users whose set is empty.
    /// </summary>
    private const string UnseenScript = """
        local candidates = {}
        for _, uid in ipairs(redis.call('SDIFF', KEYS[5], KEYS[4])) do
          local members = redis.call('SMEMBERS', ARGV[1] .. uid)
          if #members == 0 then redis.call('SREM', KEYS[5], uid) end
          for _, member in ipairs(members) do
            candidates[#candidates + 1] = member
            candidates[#candidates + 1] = redis.call('ZSCORE', KEYS[1], member)
          end
        end
        for _, member in ipairs(redis.call('HKEYS', KEYS[3])) do
          local uid = string.match(member, '^([^/]+)/')
          if not uid or redis.call('SISMEMBER', KEYS[4], uid) == 0 then
            candidates[#candidates + 1] = member
            candidates[#candidates + 1] = false
          end
        end
        return candidates
        """;

    /// <summary>
    /// ARGV: user key prefix, then (member, score seen or "") pairs. An entry a replica holds is left to it; one whose
    /// score changed since was re-indexed by the API and stays.
    /// </summary>
    private const string RemoveStaleScript = """
        local removed = 0
        for i = 2, #ARGV, 2 do
          local member, seen = ARGV[i], ARGV[i + 1]
          if redis.call('HEXISTS', KEYS[2], member) == 0 then
            local score = redis.call('ZSCORE', KEYS[1], member)
            if (score and seen ~= '' and tonumber(score) == tonumber(seen)) or (not score and seen == '') then
              redis.call('ZREM', KEYS[1], member)
              redis.call('HDEL', KEYS[3], member)
              local uid = string.match(member, '^([^/]+)/')
              if uid then redis.call('SREM', ARGV[1] .. uid, member) end
              removed = removed + 1
            end
          end
        end
        return removed
        """;
}
