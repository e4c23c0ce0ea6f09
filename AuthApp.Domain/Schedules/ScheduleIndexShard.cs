using System.Text;
using StackExchange.Redis;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// One of the <see cref="Count"/> shards of the due-schedule index: the layout of every <c>authapp:schedules:*</c> key
/// a user's schedules live under. A user belongs to one shard for good (a stable hash of the uid), and every key of a
/// shard carries the shard's hash tag, so that a Redis Cluster keeps a shard in one slot: the scripts that claim, settle
/// and rebuild touch one shard's keys together, which a cluster allows only within a slot. The shards spread a million
/// schedules, and the claims of every replica, over the cluster's masters instead of loading one.
/// <para>
/// The tags were chosen (by their CRC16, the cluster's key hash) so that shard k's slot lies in the middle of the k-th
/// sixteenth of the 16,384 slots: a cluster whose masters own equal ranges of slots (what <c>redis-cli --cluster create</c>
/// makes) holds an equal share of the shards (6/5/5 on three masters). A test checks the slots. Changing
/// <see cref="Count"/> or a tag moves users to other keys: the old keys are then orphaned and the index rebuilt.
/// </para>
/// </summary>
public sealed class ScheduleIndexShard
{
    public const int Count = 16;

    private static readonly string[] Tags =
        ["00s0", "01r0", "02q0", "03p0", "04w0", "05v0", "06u0", "07t0", "08t1", "09z0", "10h8", "11i8", "12e8", "13d8", "14l8", "15m8"];

    /// <summary>Every shard, by number.</summary>
    public static IReadOnlyList<ScheduleIndexShard> All { get; } = [.. Tags.Select((tag, number) => new ScheduleIndexShard(number, tag))];

    private ScheduleIndexShard(int number, string tag)
    {
        Number = number;
        Tag = tag;
        Prefix = $"authapp:schedules:{{{tag}}}:";
    }

    public int Number { get; }

    /// <summary>The hash tag every key of the shard carries (inside braces).</summary>
    public string Tag { get; }

    /// <summary>What every key of the shard starts with; the scripts derive a user's keys from it.</summary>
    public string Prefix { get; }

    /// <summary>Sorted set: member <c>uid/venue/device</c>, score its next occurrence (Unix seconds) or a hold (<c>.5</c>).</summary>
    public RedisKey DueKey => Prefix + DueSuffix;

    /// <summary>Hash: the occurrences a replica has claimed or is retrying (see <c>DueClaims</c>).</summary>
    public RedisKey HeldKey => Prefix + "held";

    /// <summary>Hash: entries taken out of the due set after failing too often, with why.</summary>
    public RedisKey QuarantineKey => Prefix + "quarantine";

    /// <summary>Set: the uids that have (or had) entries here, so a rebuild finds the entries of users who no longer exist.</summary>
    public RedisKey UsersKey => Prefix + "users";

    /// <summary>
    /// Set by a completed rebuild (with a time to live), holding the epoch of the Redis it was built on (its replication
    /// id: see <see cref="ScheduleIndexScripts"/>); absent, or from another epoch, means the shard must be rebuilt. One
    /// per shard, so that a cluster master that restarted or failed over is noticed even when the others did not.
    /// </summary>
    public RedisKey BuiltKey => Prefix + "built";

    /// <summary>The rebuild in progress on this shard (its token and epoch): gone or changed mid-way means the shard may have lost data meanwhile.</summary>
    public RedisKey RebuildKey => Prefix + "rebuild";

    /// <summary>Set: the uids the rebuild in progress has seen.</summary>
    public RedisKey SeenKey => Prefix + "seen";

    /// <summary>Stream: one entry per occurrence fired or skipped (<c>id, occurrence, outcome, instance, firedAt</c>).</summary>
    public RedisKey AuditStream => Prefix + "fired";

    /// <summary>Set: the members of one user.</summary>
    public RedisKey UserKey(string uid) => Prefix + UserSuffix + uid;

    /// <summary>Set for a while when a user's schedules are removed with the account (see <see cref="DueScheduleIndex.RemoveUserAsync"/>).</summary>
    public RedisKey RemovedUserKey(string uid) => Prefix + RemovedUserSuffix + uid;

    /// <summary>The keys every index script takes first: due, held, quarantine.</summary>
    public RedisKey[] IndexKeys(params RedisKey[] more) => [DueKey, HeldKey, QuarantineKey, .. more];

    internal const string DueSuffix = "due";
    internal const string UserSuffix = "user:";
    internal const string RemovedUserSuffix = "removed:";

    /// <summary>The shard of <paramref name="uid"/>: FNV-1a of its UTF-8 bytes, so every process and version agrees.</summary>
    public static ScheduleIndexShard Of(string uid)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(uid))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return All[(int)(hash % Count)];
    }

    public override string ToString() => Tag;
}
