using System.Globalization;
using AuthApp.Domain.Schedules;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>The rebuild's Redis side: one script per page, the stale-entry removal, the lock and the built marker.</summary>
public sealed partial class ScheduleIndexRebuilder
{
    private static readonly RedisKey[] IndexKeys = [DueScheduleIndex.DueKey, DueScheduleIndex.HeldKey, DueScheduleIndex.QuarantineKey, SeenKey];

    /// <summary>
    /// Adds the page's schedules that are missing (a pending occurrence, or one a replica holds, is kept), re-admits
    /// quarantined ones, marks the page's users seen, and returns the entries indexed for those users that the page
    /// did not show firing (with their current score, "" when not in the due set).
    /// </summary>
    private async Task<(int Added, int Readmitted, IReadOnlyList<(string Member, string Score)> Candidates)> IndexAsync(
        IReadOnlyList<string> uids, IReadOnlyList<(string Member, long Next)> entries)
    {
        if (uids.Count == 0)
        {
            return (0, 0, []);
        }

        var args = new List<RedisValue>(3 + uids.Count + (entries.Count * 2))
        {
            DueScheduleIndex.UserKeyPrefix, (long)LockTtl.TotalMilliseconds, uids.Count,
        };
        args.AddRange(uids.Select(uid => (RedisValue)uid));
        foreach (var (member, next) in entries)
        {
            args.Add(member);
            args.Add(next);
        }

        var result = (RedisResult[])(await Redis.ScriptEvaluateAsync(IndexPageScript, IndexKeys, [.. args]))!;
        return ((int)result[0], (int)result[1], Pairs((RedisResult[])result[2]!));
    }

    /// <summary>Entries of users the pass never saw (deleted users), one slice of the due set and the quarantine at a time.</summary>
    private async Task<(string Cursor, IReadOnlyList<(string Member, string Score)> Candidates)> UnseenAsync(string cursor)
    {
        var result = (RedisResult[])(await Redis.ScriptEvaluateAsync(UnseenScript, IndexKeys, [DueScheduleIndex.UserKeyPrefix, cursor, 1000]))!;
        return ((string)result[0]!, Pairs((RedisResult[])result[1]!));
    }

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
        catch (RedisException)
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

    /// <summary>ARGV: user key prefix, seen ttl (ms), n, n uids, then (member, next) pairs.</summary>
    private const string IndexPageScript = """
        local prefix, users = ARGV[1], tonumber(ARGV[3])
        local firing = {}
        local added, readmitted = 0, 0
        for i = 4 + users, #ARGV, 2 do
          local member = ARGV[i]
          firing[member] = true
          if redis.call('ZADD', KEYS[1], 'NX', ARGV[i + 1], member) == 1 then
            added = added + 1
            readmitted = readmitted + redis.call('HDEL', KEYS[3], member)
          end
          redis.call('SADD', prefix .. string.match(member, '^([^/]+)/'), member)
        end
        local candidates = {}
        for i = 4, 3 + users do
          redis.call('SADD', KEYS[4], ARGV[i])
          for _, member in ipairs(redis.call('SMEMBERS', prefix .. ARGV[i])) do
            if not firing[member] then
              candidates[#candidates + 1] = member
              candidates[#candidates + 1] = redis.call('ZSCORE', KEYS[1], member)
            end
          end
        end
        redis.call('PEXPIRE', KEYS[4], ARGV[2])
        return { added, readmitted, candidates }
        """;

    /// <summary>ARGV: user key prefix, cursor, count. Returns the next cursor and (member, score) of entries whose user was not seen.</summary>
    private const string UnseenScript = """
        local scan = redis.call('ZSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
        local candidates = {}
        local items = scan[2]
        for i = 1, #items, 2 do
          local uid = string.match(items[i], '^([^/]+)/')
          if not uid or redis.call('SISMEMBER', KEYS[4], uid) == 0 then
            candidates[#candidates + 1] = items[i]
            candidates[#candidates + 1] = items[i + 1]
          end
        end
        if ARGV[2] == '0' then
          for _, member in ipairs(redis.call('HKEYS', KEYS[3])) do
            local uid = string.match(member, '^([^/]+)/')
            if not uid or redis.call('SISMEMBER', KEYS[4], uid) == 0 then
              candidates[#candidates + 1] = member
              candidates[#candidates + 1] = false
            end
          end
        end
        return { scan[1], candidates }
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
