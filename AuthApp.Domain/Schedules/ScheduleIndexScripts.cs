namespace AuthApp.Domain.Schedules;

/// <summary>
/// Every Lua script on the <c>authapp:schedules:*</c> keys: the API's removals (<see cref="DueScheduleIndex"/>), the
/// worker's claims (<c>DueClaims</c>) and its rebuild (<c>ScheduleIndexRebuilder</c>). They share the keys and what an
/// entry is, so each rule of the index is one Lua function here, composed into the scripts that need it: where a user's
/// set is, what a member's uid is, what removing an entry takes, what a held record holds.
/// <para>
/// Every index script works on one shard (<see cref="ScheduleIndexShard"/>) and takes its due set, held hash and
/// quarantine hash as <c>KEYS[1..3]</c>. The per-user keys it builds itself (a user's set, the removed-user marker) start
/// with the shard's prefix, read off <c>KEYS[1]</c>, so they carry the shard's hash tag: on a Redis Cluster every key a
/// script touches is in the shard's slot. Entries are read and written several hundred per command where a script
/// handles many (<c>unpack</c> has a limit): Redis is shared by every replica, and a command per entry would make it the
/// bottleneck of a burst.
/// </para>
/// </summary>
public static class ScheduleIndexScripts
{
    /// <summary>
    /// A key of the script's shard: the shard's prefix is <c>KEYS[1]</c> (its due set) without the due set's own suffix.
    /// </summary>
    private const string ShardKeyFunction = $$"""
        local shard_prefix = string.sub(KEYS[1], 1, #KEYS[1] - #'{{ScheduleIndexShard.DueSuffix}}')
        local function shard_key(name)
          return shard_prefix .. name
        end

        """;

    /// <summary>The set of a user's entries (<see cref="ScheduleIndexShard.UserKey"/>).</summary>
    private const string UserKeyFunction = ShardKeyFunction + $$"""
        local function user_key(uid)
          return shard_key('{{ScheduleIndexShard.UserSuffix}}' .. uid)
        end

        """;

    /// <summary>A member is a schedule id's text form, <c>uid/venue/device</c> (<see cref="ScheduleId"/>): its uid, or nil.</summary>
    private const string UidOfFunction = """
        local function uid_of(member)
          return string.match(member, '^([^/]+)/')
        end

        """;

    /// <summary>Every trace of an entry: its score, its claim, its quarantine record and its place in its user's set.</summary>
    private const string RemoveEntryFunction = UserKeyFunction + UidOfFunction + """
        local function remove_entry(member)
          redis.call('ZREM', KEYS[1], member)
          redis.call('HDEL', KEYS[2], member)
          redis.call('HDEL', KEYS[3], member)
          local uid = uid_of(member)
          if uid then redis.call('SREM', user_key(uid), member) end
        end

        """;

    /// <summary>
    /// A held entry (claimed, or waiting for a retry) is <c>"occurrence hold-score failures strikes"</c>; it is held by
    /// whoever's lease equals its hold score, and is still indexed under that lease unless the API moved it since.
    /// </summary>
    private const string HeldFunctions = """
        local function held_record(occurrence, hold, failures, strikes)
          return occurrence .. ' ' .. hold .. ' ' .. failures .. ' ' .. strikes
        end
        local function parse_held(held)
          if not held then return nil end
          local o, l, f, s = string.match(held, '^(%S+) (%S+) (%S+) (%S+)$')
          if not o then return nil end
          return { occurrence = o, hold = tonumber(l), failures = tonumber(f), strikes = tonumber(s) }
        end
        local function read_held(member)
          return parse_held(redis.call('HGET', KEYS[2], member))
        end
        local function indexed_at(member, score)
          local current = redis.call('ZSCORE', KEYS[1], member)
          return current ~= false and current ~= nil and tonumber(current) == score
        end

        """;

    /// <summary>One command per thousand arguments, never one per entry.</summary>
    private const string CallChunkedFunction = """
        local function call_chunked(command, key, args)
          for first = 1, #args, 1000 do
            redis.call(command, key, unpack(args, first, math.min(first + 999, #args)))
          end
        end

        """;

    /// <summary>
    /// The replication id of the Redis that serves the script: a new one on every restart and on every failover (a
    /// promoted replica takes a new one), the two events that can lose writes Redis had acknowledged (the last second
    /// of the append-only file; what a master had not yet sent to its replicas). A built marker and a rebuild's mark
    /// hold the epoch they were made in, and count only in that epoch: after either event, the shard is rebuilt.
    /// </summary>
    private const string EpochFunction = """
        local function epoch()
          return string.match(redis.call('INFO', 'replication'), 'master_replid:(%w+)') or 'unknown'
        end

        """;

    /// <summary>Out of the due set and the claims, into the quarantine hash (a JSON record), still in its user's set.</summary>
    private const string QuarantineEntryFunction = """
        local function quarantine_entry(member, record)
          redis.call('ZREM', KEYS[1], member)
          redis.call('HDEL', KEYS[2], member)
          redis.call('HSET', KEYS[3], member, cjson.encode(record))
        end

        """;

    /// <summary>KEYS: due, held, quarantine. ARGV: member. Drops the entry from the index, its claim and the quarantine.</summary>
    public const string Remove = RemoveEntryFunction + """
        remove_entry(ARGV[1])
        return 1
        """;

    /// <summary>
    /// KEYS: due, held, quarantine, the user's set. ARGV: a prefix of the user's members ("" for all of them), compared
    /// as plain text (no patterns). Returns how many entries were removed.
    /// </summary>
    public const string RemovePrefix = RemoveEntryFunction + """
        local prefix = ARGV[1]
        local removed = 0
        for _, member in ipairs(redis.call('SMEMBERS', KEYS[4])) do
          if string.sub(member, 1, #prefix) == prefix then
            remove_entry(member)
            removed = removed + 1
          end
        end
        return removed
        """;

    /// <summary>
    /// KEYS: due, held, quarantine, built marker, audit stream (a shard's). ARGV: now (s), limit, lease. Takes up to
    /// limit due entries and moves their scores to the lease. Returns {{member, occurrence, failures, strikes,
    /// reclaimed}...}, whether the shard is marked built in this epoch, the quarantine's size, and the head score.
    /// </summary>
    public const string Claim = HeldFunctions + CallChunkedFunction + EpochFunction + """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
        local claimed, leases, holds = {}, {}, {}
        for first = 1, #due, 1000 do
          local members = {}
          for i = first, math.min(first + 998, #due), 2 do members[#members + 1] = due[i] end
          local helds = redis.call('HMGET', KEYS[2], unpack(members))
          for k, member in ipairs(members) do
            local score = due[first + 2 * k - 1]
            local occurrence, failures, strikes, reclaimed = score, 0, 0, 0
            local held = parse_held(helds[k])
            if held and held.hold == tonumber(score) then
              -- A lease that ran out (its claimer died) or a retry that came due: the occurrence is the original one.
              occurrence, failures, strikes, reclaimed = held.occurrence, held.failures, held.strikes, 1
            end
            leases[#leases + 1] = ARGV[3]
            leases[#leases + 1] = member
            holds[#holds + 1] = member
            holds[#holds + 1] = held_record(occurrence, ARGV[3], failures, strikes)
            claimed[#claimed + 1] = member
            claimed[#claimed + 1] = occurrence
            claimed[#claimed + 1] = failures
            claimed[#claimed + 1] = strikes
            claimed[#claimed + 1] = reclaimed
          end
        end
        call_chunked('ZADD', KEYS[1], leases)
        call_chunked('HSET', KEYS[2], holds)
        local head = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        local built = redis.call('GET', KEYS[4])
        built = built and string.match(built, '^(%S+)') == epoch() and 1 or 0
        return { claimed, built, redis.call('HLEN', KEYS[3]), head[2] or false }
        """;

    /// <summary>
    /// KEYS: as <see cref="Claim"/>. ARGV: lease, renewed lease, members. Returns 1 per member still owned (its lease
    /// extended), else 0.
    /// </summary>
    public const string Renew = HeldFunctions + """
        local lease = tonumber(ARGV[1])
        local owned = {}
        for i = 3, #ARGV do
          local member = ARGV[i]
          local held = read_held(member)
          if held and held.hold == lease then
            if indexed_at(member, lease) then
              redis.call('ZADD', KEYS[1], ARGV[2], member)
            end
            redis.call('HSET', KEYS[2], member, held_record(held.occurrence, ARGV[2], held.failures, held.strikes))
            owned[#owned + 1] = 1
          else
            owned[#owned + 1] = 0
          end
        end
        return owned
        """;

    /// <summary>
    /// KEYS: as <see cref="Claim"/>. ARGV: lease, now (s), quarantine threshold, audit max length, instance, fired-at
    /// (ms), then per entry: kind (advance, remove, release, retry), member, score, detail, reason. An entry whose score
    /// is no longer the lease was re-timed or removed by the API meanwhile: its index entry is left as the API made it.
    /// Returns the members this settlement quarantined.
    /// </summary>
    public const string Settle = HeldFunctions + CallChunkedFunction + RemoveEntryFunction + QuarantineEntryFunction + """
        local lease = tonumber(ARGV[1])
        local quarantined, moves, forget = {}, {}, {}
        local count = (#ARGV - 6) / 5
        for first = 0, count - 1, 500 do
          local last = math.min(first + 499, count - 1)
          local members = {}
          for e = first, last do members[#members + 1] = ARGV[8 + 5 * e] end
          local helds = redis.call('HMGET', KEYS[2], unpack(members))
          local scores = redis.call('ZMSCORE', KEYS[1], unpack(members))
          for k, member in ipairs(members) do
            local at = 7 + 5 * (first + k - 1)
            local kind, score, detail, reason = ARGV[at], ARGV[at + 2], ARGV[at + 3], ARGV[at + 4]
            local held = parse_held(helds[k])
            if held and held.hold == lease then
              local indexed = scores[k] ~= false and scores[k] ~= nil and tonumber(scores[k]) == lease
              if kind == 'advance' then
                if indexed then moves[#moves + 1] = score; moves[#moves + 1] = member end
                forget[#forget + 1] = member
                if detail ~= '' then
                  redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[4], '*', 'id', member, 'occurrence', held.occurrence,
                    'outcome', detail, 'instance', ARGV[5], 'firedAt', ARGV[6])
                end
              elseif kind == 'remove' then
                if indexed then remove_entry(member) else forget[#forget + 1] = member end
              elseif kind == 'release' then
                if indexed then moves[#moves + 1] = held.occurrence; moves[#moves + 1] = member end
                forget[#forget + 1] = member
              elseif kind == 'retry' then
                local failures, strikes = held.failures + 1, held.strikes + tonumber(detail)
                if not indexed then
                  forget[#forget + 1] = member
                elseif strikes >= tonumber(ARGV[3]) then
                  quarantine_entry(member, { occurrence = tonumber(held.occurrence), failures = failures,
                    strikes = strikes, reason = reason, since = tonumber(ARGV[2]) })
                  quarantined[#quarantined + 1] = member
                else
                  moves[#moves + 1] = score
                  moves[#moves + 1] = member
                  redis.call('HSET', KEYS[2], member, held_record(held.occurrence, score, failures, strikes))
                end
              end
            end
          end
        end
        call_chunked('ZADD', KEYS[1], moves)
        call_chunked('HDEL', KEYS[2], forget)
        return quarantined
        """;

    /// <summary>
    /// KEYS: due, held, quarantine, the rebuild's seen set, the users set. ARGV: the seen set's ttl (ms), then per user:
    /// uid, n, n (member, next) pairs. Adds the missing entries (<c>ZADD NX</c>: a pending or held occurrence is kept),
    /// re-admits quarantined ones, and marks the users seen; a user whose account was deleted since the page was read
    /// (<see cref="ScheduleIndexShard.RemovedUserKey"/>) gets nothing indexed. A user's set is compared with the page
    /// only when it holds more than the page shows, and the quarantine only when it holds anything. Returns the number
    /// added, the number re-admitted, and the (member, score or false) of entries indexed for the page's users that the
    /// page did not show firing.
    /// </summary>
    public const string IndexPage = UserKeyFunction + $$"""
        local quarantine = redis.call('HLEN', KEYS[3]) > 0
        local added, readmitted, candidates, seen = 0, 0, {}, {}
        local i = 2
        while i <= #ARGV do
          local uid, read = ARGV[i], tonumber(ARGV[i + 1])
          local user = user_key(uid)
          seen[#seen + 1] = uid
          -- An account deleted since this page was read: index nothing of it.
          local n = redis.call('EXISTS', shard_key('{{ScheduleIndexShard.RemovedUserSuffix}}' .. uid)) == 1 and 0 or read
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
        redis.call('PEXPIRE', KEYS[4], ARGV[1])
        return { added, readmitted, candidates }
        """;

    /// <summary>
    /// KEYS: as <see cref="IndexPage"/>. Returns (member, score or false) of the indexed and quarantined entries of users
    /// who have entries but were not in any page, and forgets users whose set is empty.
    /// </summary>
    public const string Unseen = UserKeyFunction + UidOfFunction + """
        local candidates = {}
        for _, uid in ipairs(redis.call('SDIFF', KEYS[5], KEYS[4])) do
          local members = redis.call('SMEMBERS', user_key(uid))
          if #members == 0 then redis.call('SREM', KEYS[5], uid) end
          for _, member in ipairs(members) do
            candidates[#candidates + 1] = member
            candidates[#candidates + 1] = redis.call('ZSCORE', KEYS[1], member)
          end
        end
        for _, member in ipairs(redis.call('HKEYS', KEYS[3])) do
          local uid = uid_of(member)
          if not uid or redis.call('SISMEMBER', KEYS[4], uid) == 0 then
            candidates[#candidates + 1] = member
            candidates[#candidates + 1] = false
          end
        end
        return candidates
        """;

    /// <summary>
    /// KEYS: as <see cref="IndexPage"/>. ARGV: (member, score seen or "") pairs, entries checked stale. An entry a replica
    /// holds is left to it; one whose score changed since was re-indexed by the API and stays. Returns how many went.
    /// </summary>
    public const string RemoveStale = RemoveEntryFunction + """
        local removed = 0
        for i = 1, #ARGV, 2 do
          local member, seen = ARGV[i], ARGV[i + 1]
          if redis.call('HEXISTS', KEYS[2], member) == 0 then
            local score = redis.call('ZSCORE', KEYS[1], member)
            if (score and seen ~= '' and tonumber(score) == tonumber(seen)) or (not score and seen == '') then
              remove_entry(member)
              removed = removed + 1
            end
          end
        end
        return removed
        """;

    /// <summary>KEYS: the rebuild lock. ARGV: token, ttl (ms). Extends the lock if this token still holds it; 1 if so.</summary>
    public const string RenewLock = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    /// <summary>
    /// KEYS: a shard's rebuild mark, its seen set. ARGV: token, ttl (ms). Marks the shard as being rebuilt by this token
    /// in this epoch and forgets what an earlier rebuild saw.
    /// </summary>
    public const string BeginShard = EpochFunction + """
        redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. epoch(), 'PX', ARGV[2])
        redis.call('DEL', KEYS[2])
        return 1
        """;

    /// <summary>
    /// KEYS: a shard's rebuild mark. ARGV: token, ttl (ms). Extends the mark if this token made it in this epoch; 1 if
    /// so, 0 when the shard lost it (its data, or a restart or failover that may have lost some).
    /// </summary>
    public const string RenewShard = EpochFunction + """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] .. ' ' .. epoch() then return 0 end
        return redis.call('PEXPIRE', KEYS[1], ARGV[2])
        """;

    /// <summary>
    /// KEYS: a shard's rebuild mark, its built marker, its seen set. ARGV: token, built at (s), marker ttl (ms). Marks
    /// the shard built in this epoch (<c>"epoch builtAt"</c>) and forgets the seen set, only if the rebuild that holds
    /// <c>token</c> still has its mark there from the same epoch; 1 if so.
    /// </summary>
    public const string FinishShard = EpochFunction + """
        local current = epoch()
        if redis.call('GET', KEYS[1]) ~= ARGV[1] .. ' ' .. current then return 0 end
        redis.call('SET', KEYS[2], current .. ' ' .. ARGV[2], 'PX', ARGV[3])
        redis.call('DEL', KEYS[3], KEYS[1])
        return 1
        """;

    /// <summary>KEYS: the rebuild lock. ARGV: token. Releases the lock if this token still holds it.</summary>
    public const string ReleaseLock = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;
}
