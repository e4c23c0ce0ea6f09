using System.Diagnostics;
using System.Globalization;
using AuthApp.Domain.Schedules;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// The Redis side of firing in batches; every step is one Lua script (<see cref="ScheduleIndexScripts"/>), so it is
/// atomic across replicas.
/// <list type="bullet">
/// <item><b>Claim</b>: takes up to N due entries and moves each one's score to the batch's lease (a time a few
/// seconds ahead, with a <c>.5</c> fraction, which no occurrence ever has), remembering the occurrence in
/// <see cref="ScheduleIndexShard.HeldKey"/>. Other replicas no longer see those entries as due: replicas take
/// disjoint batches. If the claimer dies, the lease comes due like any occurrence and the next claimer gets the
/// entry back with its original occurrence (<see cref="ClaimedEntry.Reclaimed"/>).</item>
/// <item><b>Renew</b>: right before the database write, checks that the batch still owns each entry (a replica
/// stalled past its lease has lost it to another) and extends the lease.</item>
/// <item><b>Settle</b>: moves each entry to its next occurrence, removes it, puts it back, or schedules a retry
/// (quarantining it after <see cref="SchedulerOptions.QuarantineAfter"/> failures of its own), and appends what
/// fired to the shard's audit stream. An entry the API re-timed or removed meanwhile keeps the API's version.</item>
/// </list>
/// <para>
/// The index is sharded (<see cref="ScheduleIndexShard"/>) and a batch comes from one shard. A claim tries the shards in
/// turn, from where the last one left off, until one has something due: replicas and bursts spread over the shards
/// (and a cluster's masters), and one shard full of due entries cannot starve the others. An empty batch means every
/// shard was looked at and none had anything due.
/// </para>
/// </summary>
public sealed class DueClaims(IConnectionMultiplexer redis, IOptions<SchedulerOptions> options)
{
    // What the last look at each shard found: a claim that returns a batch has not looked at the shards after it, so
    // the batch reports what is known of them. Written and read under the lock: batches are claimed one at a time per
    // replica, but renewals and settlements run concurrently.
    private readonly ShardView[] _shards = new ShardView[ScheduleIndexShard.Count];
    private readonly Lock _gate = new();
    private int _next;

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
        for (var tried = 0; tried < ScheduleIndexShard.Count; tried++)
        {
            var shard = ScheduleIndexShard.All[(int)((uint)Interlocked.Increment(ref _next) % ScheduleIndexShard.Count)];
            var entries = await ClaimFromAsync(shard, now, limit, lease);
            if (entries.Count > 0 || tried == ScheduleIndexShard.Count - 1)
            {
                return Batch(shard, entries, lease);
            }
        }

        throw new UnreachableException();
    }

    private async Task<List<ClaimedEntry>> ClaimFromAsync(ScheduleIndexShard shard, DateTimeOffset now, int limit, double lease)
    {
        var result = (RedisResult[])(await Database.ScriptEvaluateAsync(ScheduleIndexScripts.Claim,
            shard.IndexKeys(shard.BuiltKey, shard.AuditStream), [Seconds(now), limit, lease]))!;
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
        lock (_gate)
        {
            _shards[shard.Number] = new ShardView(
                Looked: true,
                Built: (long)result[1] == 1,
                Quarantined: (long)result[2],
                Head: head.IsNull ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)((double)head * 1000)));
        }

        return entries;
    }

    private ClaimedBatch Batch(ScheduleIndexShard shard, IReadOnlyList<ClaimedEntry> entries, double lease)
    {
        lock (_gate)
        {
            // A shard never looked at (this replica just started) counts as not built: the rebuild it may trigger finds
            // the markers in place and ends at once.
            return new ClaimedBatch(
                shard,
                entries,
                lease,
                _shards.All(view => view.Looked && view.Built),
                _shards.Sum(view => view.Quarantined),
                _shards.Where(view => view.Head is not null).Min(view => view.Head));
        }
    }

    /// <summary>Extends the batch's lease; returns, per entry, whether the batch still owns it, and the new lease.</summary>
    public async Task<(double Lease, bool[] Owned)> RenewAsync(ClaimedBatch batch, IReadOnlyList<ClaimedEntry> entries, DateTimeOffset now)
    {
        var lease = batch.Lease;
        var renewed = Math.Max(lease, HoldScore(now, options.Value.ClaimLease));
        var args = new RedisValue[entries.Count + 2];
        args[0] = lease;
        args[1] = renewed;
        for (var i = 0; i < entries.Count; i++)
        {
            args[i + 2] = entries[i].Member;
        }

        var owned = (RedisResult[])(await Database.ScriptEvaluateAsync(ScheduleIndexScripts.Renew, batch.Shard.IndexKeys(), args))!;
        return (renewed, owned.Select(flag => (int)flag == 1).ToArray());
    }

    /// <summary>Applies the batch's outcomes; returns the members this settlement quarantined.</summary>
    public async Task<IReadOnlyList<string>> SettleAsync(
        ClaimedBatch batch, double lease, IReadOnlyList<Settlement> settlements, DateTimeOffset now, string instance)
    {
        if (settlements.Count == 0)
        {
            return [];
        }

        var settings = options.Value;
        var args = new List<RedisValue>(6 + (settlements.Count * 5))
        {
            lease, Seconds(now), settings.QuarantineAfter, settings.FiredLogMaxLength, instance, now.ToUnixTimeMilliseconds(),
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

        var quarantined = (RedisResult[])(await Database.ScriptEvaluateAsync(ScheduleIndexScripts.Settle,
            batch.Shard.IndexKeys(batch.Shard.BuiltKey, batch.Shard.AuditStream), [.. args]))!;
        return quarantined.Select(member => (string)member!).ToList();
    }

    private static string Seconds(DateTimeOffset instant) =>
        (instant.ToUnixTimeMilliseconds() / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
}

/// <summary>
/// A claimed index entry. <see cref="Id"/> is null for a member that is not a valid schedule id (it is removed).
/// <see cref="Failures"/> counts earlier failed attempts at this occurrence, <see cref="Strikes"/> those that were
/// the entry's own fault; <see cref="Reclaimed"/> is true when a lease ran out or a retry came due.
/// </summary>
public sealed record ClaimedEntry(string Member, ScheduleId? Id, DateTimeOffset Occurrence, int Failures, int Strikes, bool Reclaimed);

/// <summary>
/// A claim's result: the shard it came from, the entries (possibly none), the lease they are held under, and what the
/// claimer knows of the whole index: whether every shard is marked built, the quarantine's size, and the earliest score
/// left (when the loop should look again).
/// </summary>
public sealed record ClaimedBatch(
    ScheduleIndexShard Shard, IReadOnlyList<ClaimedEntry> Entries, double Lease, bool IndexBuilt, long Quarantined, DateTimeOffset? NextDue);

/// <summary>What the last claim on one shard found.</summary>
internal readonly record struct ShardView(bool Looked, bool Built, long Quarantined, DateTimeOffset? Head);

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
