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

    /// <summary>KEYS: stream, dead-letter stream. ARGV: group, id, consumer, dead max length, field, value, ...</summary>
    public const string DeadLetter = OwnsMessage + """

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

    /// <summary>KEYS: delayed set, stream. ARGV: now (unix ms), batch size, stream max length. Moves due retries back.</summary>
    public const string PromoteDue = """
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        for _, member in ipairs(due) do
          redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(cjson.decode(member)))
          redis.call('ZREM', KEYS[1], member)
        end
        return #due
        """;
}
