namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// Each state change of a message is one Lua script, so it is atomic: a crash can never leave a job both
/// acknowledged and not rescheduled, or rescheduled twice. Scripts that act on another consumer's behalf
/// first check (XPENDING) that this consumer still owns the message, so a replica that lost a message to
/// a reclaim does not retry or dead-letter it a second time.
/// </summary>
internal static class RedisScripts
{
    private const string OwnsMessage = """
        local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
        if #p == 0 or p[1][2] ~= ARGV[3] then return 0 end
        """;

    /// <summary>
    /// KEYS: stream, then the accepted marker of each idempotent job in order. ARGV: accepted-marker ttl ms, then per
    /// job: 1 if it has a marker (the next of KEYS) else 0, the number of field arguments, and the fields (name,
    /// value, ...). The markers are declared in KEYS, never built here: a Redis Cluster routes a script by its KEYS and
    /// refuses (or, worse, misplaces) keys it did not declare. A job whose marker exists is already queued, running or
    /// done and is not added again. No MAXLEN: the stream holds only unfinished work (finished entries are deleted),
    /// and trimming would drop jobs nobody ran. Returns the message id per job (nil for a duplicate).
    /// </summary>
    public const string Enqueue = """
        local ids = {}
        local i = 2
        local marker = 1
        while i <= #ARGV do
          local hasMarker, count = ARGV[i] == '1', tonumber(ARGV[i + 1])
          if hasMarker then marker = marker + 1 end
          if not hasMarker or redis.call('SET', KEYS[marker], '1', 'NX', 'PX', ARGV[1]) then
            ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', unpack(ARGV, i + 2, i + 1 + count))
          else
            ids[#ids + 1] = false
          end
          i = i + 2 + count
        end
        return ids
        """;

    /// <summary>KEYS: stream, done marker. ARGV: group, id, marker ttl ms. Marks done, acks, deletes.</summary>
    public const string Complete = """
        redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return acked
        """;

    /// <summary>KEYS: stream. ARGV: group, id. Acks and deletes (a duplicate of a completed job).</summary>
    public const string Acknowledge = """
        local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return acked
        """;

    /// <summary>KEYS: stream, delayed set. ARGV: group, id, consumer, due (unix ms), member (JSON field array).</summary>
    public const string ScheduleRetry = OwnsMessage + """

        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: stream, dead-letter stream, accepted marker. ARGV: group, id, consumer, dead max length, field, value, ...
    /// The dead-letter stream is the one trimmed (MAXLEN ~): its entries are finished, if unsuccessfully. The
    /// accepted marker goes, so that the same idempotent job can be enqueued (and run) again.
    /// </summary>
    public const string DeadLetter = OwnsMessage + """

        redis.call('DEL', KEYS[3])
        local fields = {}
        for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
        redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4], '*', unpack(fields))
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>KEYS: stream. ARGV: group, id, consumer. Resets the idle time of a message this consumer still owns.</summary>
    public const string RenewLease = OwnsMessage + """

        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
        return 1
        """;

    /// <summary>KEYS: delayed set, stream. ARGV: now (unix ms), batch size. Moves due retries back.</summary>
    public const string PromoteDue = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], '*', unpack(cjson.decode(member)))
          redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """;
}
