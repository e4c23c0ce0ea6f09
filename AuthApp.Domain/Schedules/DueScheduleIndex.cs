using StackExchange.Redis;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// The index the scheduler reads instead of the whole database: per shard (<see cref="ScheduleIndexShard"/>), a Redis
/// sorted set of enabled schedules scored by their next occurrence (Unix seconds), plus a set per user so that a user's
/// schedules can be dropped without a scan. The API keeps it up to date on every schedule write; the scheduler advances
/// entries as it fires them and rebuilds it from the database when it is missing.
/// <para>
/// The scheduler also keeps two hashes beside each due set: <see cref="ScheduleIndexShard.HeldKey"/>, the occurrences a
/// replica has claimed or is retrying (their score in the due set is then a lease or retry time with a <c>.5</c>
/// fraction, never a whole second), and <see cref="ScheduleIndexShard.QuarantineKey"/>, entries taken out of the due set
/// after failing too often. A write by the API re-admits a quarantined schedule; a removal clears every trace of it.
/// </para>
/// </summary>
public sealed class DueScheduleIndex(IConnectionMultiplexer redis)
{
    /// <summary>Longer than a rebuild holds a page it read; the marker then goes by itself.</summary>
    public static readonly TimeSpan RemovedUserMarkerLifetime = TimeSpan.FromMinutes(10);

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// Records (or moves) <paramref name="id"/>'s next occurrence and takes it out of quarantine. An occurrence a
    /// replica is firing right now finishes; the replica then leaves this new score alone.
    /// </summary>
    public async Task UpsertAsync(ScheduleId id, DateTimeOffset nextOccurrence)
    {
        var shard = ScheduleIndexShard.Of(id.Uid);
        var member = id.ToString();
        var transaction = Database.CreateTransaction();
        _ = transaction.SortedSetAddAsync(shard.DueKey, member, nextOccurrence.ToUnixTimeSeconds());
        _ = transaction.SetAddAsync(shard.UserKey(id.Uid), member);
        _ = transaction.SetAddAsync(shard.UsersKey, id.Uid);
        _ = transaction.HashDeleteAsync(shard.QuarantineKey, member);
        await transaction.ExecuteAsync();
    }

    /// <summary>Drops <paramref name="id"/> from the index, its claim and the quarantine.</summary>
    public async Task RemoveAsync(ScheduleId id) =>
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.Remove, ScheduleIndexShard.Of(id.Uid).IndexKeys(), [id.ToString()]);

    /// <summary>Drops every schedule of a venue (when the venue is deleted).</summary>
    public async Task RemoveVenueAsync(string uid, string venue)
    {
        var shard = ScheduleIndexShard.Of(uid);
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.RemovePrefix, shard.IndexKeys(shard.UserKey(uid)), [ScheduleId.VenuePrefix(uid, venue)]);
    }

    /// <summary>
    /// Drops every schedule of a user (when the account is deleted), and marks the user removed for a while: a rebuild
    /// that read the user's record before the deletion must not write the entries back after it. Idempotent.
    /// </summary>
    public async Task RemoveUserAsync(string uid)
    {
        var shard = ScheduleIndexShard.Of(uid);
        await Database.StringSetAsync(shard.RemovedUserKey(uid), 1, RemovedUserMarkerLifetime);
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.RemovePrefix, shard.IndexKeys(shard.UserKey(uid)), [""]);
        await Database.SetRemoveAsync(shard.UsersKey, uid);
    }
}
