using System.Globalization;
using AuthApp.Domain.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The Redis side of firing in batches; every step is one Lua script, so it is atomic across replicas.
/// <list type="bullet">
/// <item><b>Claim</b>: takes up to N due entries and moves each one's score to the batch's lease (a time a few
/// seconds ahead, with a <c>.5</c> fraction, which no occurrence ever has), remembering the occurrence in
/// <see cref="DueScheduleIndex.HeldKey"/>. Other replicas no longer see those entries as due: replicas take
/// disjoint batches. If the claimer dies, the lease comes due like any occurrence and the next claimer gets the
/// entry back with its original occurrence (<see cref="ClaimedEntry.Reclaimed"/>).</item>
/// <item><b>Renew</b>: right before the database write, checks that the batch still owns each entry (a replica
/// stalled past its lease has lost it to another) and extends the lease.</item>
/// <item><b>Settle</b>: moves each entry to its next occurrence, removes it, puts it back, or schedules a retry
/// (quarantining it after <see cref="SchedulerOptions.QuarantineAfter"/> failures of its own), and appends what
/// fired to the audit stream. An entry the API re-timed or removed meanwhile keeps the API's version.</item>
/// </list>
/// The scripts build the per-user index keys from the member, so the index needs a single Redis shard (as the
/// work queue does).
/// </summary>
public sealed class DueClaims(IConnectionMultiplexer redis, IOptions<SchedulerOptions> options)
{
    /// <summary>One entry per occurrence fired: <c>id, occurrence, outcome (fired|recovered), instance, firedAt</c>.</summary>
    public const string AuditStream = "authapp:schedules:fired";

    private static readonly RedisKey[] IndexKeys =
        [DueScheduleIndex.DueKey, DueScheduleIndex.HeldKey, DueScheduleIndex.QuarantineKey, DueScheduleIndex.BuiltKey, AuditStream];

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// The score of a lease or retry due at <paramref name="now"/> + <paramref name="delay"/>: whole seconds plus
    /// one half, so that it can never be mistaken for an occurrence (always a whole second).
    /// </summary>
    public static double HoldScore(DateTimeOffset now, TimeSpan delay) =>
        now.ToUnixTimeSeconds() + Math.Ceiling(delay.TotalSeconds) + 0.5;

    public async Task<ClaimedBatch> ClaimAsync(DateTimeOffset now, int limit)
    {
        var lease = HoldScore(now, options.Value.ClaimLease);
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(ClaimScript, IndexKeys,
            [Seconds(now), limit, lease]))!;
        var flat = (RedisResult[])result[0]!;
        var entries = new List<ClaimedEntry>(flat.Length / 5);
        for (var i = 0; i < flat.Length; i += 5)
        {
            var member = (string)flat[i]!;
            entries.Add(new ClaimedEntry(
                member,
                ScheduleId.TryParse(member, out var id) ? id : null,
                DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(double.Parse((string)flat[i + 1]!, CultureInfo.InvariantCulture))),
                (int)flat[i + 2],
                (int)flat[i + 3],
                (int)flat[i + 4] == 1));
        }

        var head = result[3];
        return new ClaimedBatch(
            entries,
            lease,
            (long)result[1] == 1,
            (long)result[2],
            head.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)((double)head * 1000)));
    }

    /// <summary>Extends the batch's lease; returns, per entry, whether the batch still owns it, and the new lease.</summary>
    public async Task<(double Lease, bool[] Owned)> RenewAsync(double lease, IReadOnlyList<ClaimedEntry> entries, DateTimeOffset now)
    {
        var renewed = Math.Max(lease, HoldScore(now, options.Value.ClaimLease));
        var args = new RedisValue[entries.Count + 2];
        args[0] = lease;
        args[1] = renewed;
        for (var i = 0; i < entries.Count; i++)
        {
            args[i + 2] = entries[i].Member;
        }

        var owned = (RedisResult[])(await Database.ScriptEvaluateAsync(RenewScript, IndexKeys, args))!;
        return (renewed, owned.Select(flag => (int)flag == 1).ToArray());
    }

    /// <summary>Applies the batch's outcomes; returns the members this settlement quarantined.</summary>
    public async Task<IReadOnlyList<string>> SettleAsync(double lease, IReadOnlyList<Settlement> settlements, DateTimeOffset now, string instance)
    {
        if (settlements.Count == 0)
        {
            return [];
        }

        var settings = options.Value;
        var args = new List<RedisValue>(7 + (settlements.Count * 5))
        {
            lease, Seconds(now), settings.QuarantineAfter, settings.FiredLogMaxLength, instance, now.ToUnixTimeMilliseconds(),
            DueScheduleIndex.UserKeyPrefix,
        };
        foreach (var settlement in settlements)
        {
            args.AddRange([settlement.Kind switch
            {
                SettlementKind.Advance => "advance",
                SettlementKind.Remove => "remove",
                SettlementKind.Release => "release",
                _ => "retry",
            }, settlement.Member, settlement.Score, settlement.Detail ?? "", settlement.Reason ?? ""]);
        }

        var quarantined = (RedisResult[])(await Database.ScriptEvaluateAsync(SettleScript, IndexKeys, [.. args]))!;
        return quarantined.Select(member => (string)member!).ToList();
    }

    private static string Seconds(DateTimeOffset instant) =>
        (instant.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    // KEYS: due, held, quarantine, built, audit. A held entry is "occurrence hold-score failures strikes". Entries are
    // read and written several hundred per command (unpack has a limit): Redis is shared by every replica, and a
    // command per entry would make it the bottleneck of a burst.
    private const string ReadHeld = """
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
        local function call_chunked(command, key, args)
          for first = 1, #args, 1000 do
            redis.call(command, key, unpack(args, first, math.min(first + 999, #args)))
          end
        end

        """;

    /// <summary>ARGV: now (s), limit, lease. Returns {{member, occurrence, failures, strikes, reclaimed}...}, built, quarantined, head score.</summary>
    private const string ClaimScript = ReadHeld + """
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
            holds[#holds + 1] = occurrence .. ' ' .. ARGV[3] .. ' ' .. failures .. ' ' .. strikes
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
        return { claimed, redis.call('EXISTS', KEYS[4]), redis.call('HLEN', KEYS[3]), head[2] or false }
        """;

    /// <summary>ARGV: lease, renewed lease, members. Returns 1 per member still owned (its lease extended), else 0.</summary>
    private const string RenewScript = ReadHeld + """
        local lease = tonumber(ARGV[1])
        local owned = {}
        for i = 3, #ARGV do
          local member = ARGV[i]
          local held = read_held(member)
          if held and held.hold == lease then
            if indexed_at(member, lease) then
              redis.call('ZADD', KEYS[1], ARGV[2], member)
            end
            redis.call('HSET', KEYS[2], member, held.occurrence .. ' ' .. ARGV[2] .. ' ' .. held.failures .. ' ' .. held.strikes)
            owned[#owned + 1] = 1
          else
            owned[#owned + 1] = 0
          end
        end
        return owned
        """;

    /// <summary>
    /// ARGV: lease, now (s), quarantine threshold, audit max length, instance, fired-at (ms), user key prefix, then
    /// per entry: kind, member, score, detail, reason. An entry whose score is no longer the lease was re-timed or
    /// removed by the API meanwhile: its index entry is left as the API made it.
    /// </summary>
    private const string SettleScript = ReadHeld + """
        local lease = tonumber(ARGV[1])
        local quarantined, moves, removals, forget = {}, {}, {}, {}
        local count = (#ARGV - 7) / 5
        for first = 0, count - 1, 500 do
          local last = math.min(first + 499, count - 1)
          local members = {}
          for e = first, last do members[#members + 1] = ARGV[9 + 5 * e] end
          local helds = redis.call('HMGET', KEYS[2], unpack(members))
          local scores = redis.call('ZMSCORE', KEYS[1], unpack(members))
          for k, member in ipairs(members) do
            local at = 8 + 5 * (first + k - 1)
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
                if indexed then
                  removals[#removals + 1] = member
                  local uid = string.match(member, '^([^/]+)/')
                  if uid then redis.call('SREM', ARGV[7] .. uid, member) end
                end
                forget[#forget + 1] = member
              elseif kind == 'release' then
                if indexed then moves[#moves + 1] = held.occurrence; moves[#moves + 1] = member end
                forget[#forget + 1] = member
              elseif kind == 'retry' then
                local failures, strikes = held.failures + 1, held.strikes + tonumber(detail)
                if not indexed then
                  forget[#forget + 1] = member
                elseif strikes >= tonumber(ARGV[3]) then
                  removals[#removals + 1] = member
                  forget[#forget + 1] = member
                  redis.call('HSET', KEYS[3], member, cjson.encode({ occurrence = tonumber(held.occurrence),
                    failures = failures, strikes = strikes, reason = reason, since = tonumber(ARGV[2]) }))
                  quarantined[#quarantined + 1] = member
                else
                  moves[#moves + 1] = score
                  moves[#moves + 1] = member
                  redis.call('HSET', KEYS[2], member, held.occurrence .. ' ' .. score .. ' ' .. failures .. ' ' .. strikes)
                end
              end
            end
          end
        end
        call_chunked('ZADD', KEYS[1], moves)
        call_chunked('ZREM', KEYS[1], removals)
        call_chunked('HDEL', KEYS[2], forget)
        return quarantined
        """;
}

/// <summary>
/// A claimed index entry. <see cref="Id"/> is null for a member that is not a valid schedule id (it is removed).
/// <see cref="Failures"/> counts earlier failed attempts at this occurrence, <see cref="Strikes"/> those that were
/// the entry's own fault; <see cref="Reclaimed"/> is true when a lease ran out or a retry came due.
/// </summary>
public sealed record ClaimedEntry(string Member, ScheduleId? Id, DateTimeOffset Occurrence, int Failures, int Strikes, bool Reclaimed);

/// <summary>
/// A claim's result: the entries (possibly none), the lease they are held under, whether the index is marked built,
/// the quarantine's size, and the earliest score left in the index (when the loop should look again).
/// </summary>
public sealed record ClaimedBatch(IReadOnlyList<ClaimedEntry> Entries, double Lease, bool IndexBuilt, long Quarantined, DateTimeOffset? NextDue);

public enum SettlementKind
{
    /// <summary>To <see cref="Settlement.Score"/> (the next occurrence); <see cref="Settlement.Detail"/>, when set, is recorded in the audit stream.</summary>
    Advance,

    /// <summary>Out of the index (the schedule is gone, disabled or unreadable).</summary>
    Remove,

    /// <summary>Back to its occurrence, untouched.</summary>
    Release,

    /// <summary>Tried again at <see cref="Settlement.Score"/>; <see cref="Settlement.Detail"/> is 1 when the failure was the entry's own.</summary>
    Retry,
}

public readonly record struct Settlement(string Member, SettlementKind Kind, double Score = 0, string? Detail = null, string? Reason = null)
{
    public static Settlement Advance(string member, DateTimeOffset next, string? audit = null) =>
        new(member, SettlementKind.Advance, next.ToUnixTimeSeconds(), audit);

    public static Settlement Remove(string member) => new(member, SettlementKind.Remove);

    public static Settlement Release(string member) => new(member, SettlementKind.Release);

    public static Settlement Retry(string member, double at, bool strike, string reason) =>
        new(member, SettlementKind.Retry, at, strike ? "1" : "0", reason);
}
