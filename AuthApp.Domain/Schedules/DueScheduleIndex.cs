using StackExchange.Redis;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// The index the scheduler reads instead of the whole database: a Redis sorted set of enabled schedules
/// scored by their next occurrence (Unix seconds), plus a set per user so that a user's schedules can be
/// dropped without a scan. The API keeps it up to date on every schedule write; the scheduler advances
/// entries as it fires them and rebuilds it from the database when it is missing.
/// <para>
/// The scheduler also keeps two hashes beside it: <see cref="HeldKey"/>, the occurrences a replica has claimed
/// or is retrying (their score in <see cref="DueKey"/> is then a lease or retry time with a <c>.5</c> fraction,
/// never a whole second), and <see cref="QuarantineKey"/>, entries taken out of the due set after failing
/// too often. A write by the API re-admits a quarantined schedule; a removal clears every trace of it.
/// </para>
/// </summary>
public sealed class DueScheduleIndex(IConnectionMultiplexer redis)
{
    public const string DueKey = "authapp:schedules:due";
    public const string UserKeyPrefix = "authapp:schedules:user:";

    /// <summary>The uids that have (or had) entries: lets a rebuild find the entries of users who no longer exist.</summary>
    public const string UsersKey = "authapp:schedules:users";
    public const string HeldKey = "authapp:schedules:held";
    public const string QuarantineKey = "authapp:schedules:quarantine";

    /// <summary>Set by a completed rebuild (with a time to live); its absence means the index must be rebuilt.</summary>
    public const string BuiltKey = "authapp:schedules:index:built";

    /// <summary>
    /// Set for a while when a user's schedules are removed with the account: a rebuild that read the user's record
    /// before the deletion must not write the entries back after it.
    /// </summary>
    public const string RemovedUserKeyPrefix = "authapp:schedules:removed:";

    /// <summary>Longer than a rebuild holds a page it read; the marker then goes by itself.</summary>
    public static readonly TimeSpan RemovedUserMarkerLifetime = TimeSpan.FromMinutes(10);

    private IDatabase Database => redis.GetDatabase();

    public static string UserKey(string uid) => UserKeyPrefix + uid;

    /// <summary>
    /// Records (or moves) <paramref name="id"/>'s next occurrence and takes it out of quarantine. An occurrence a
    /// replica is firing right now finishes; the replica then leaves this new score alone.
    /// </summary>
    public async Task UpsertAsync(ScheduleId id, DateTimeOffset nextOccurrence)
    {
        var member = id.ToString();
        var transaction = Database.CreateTransaction();
        _ = transaction.SortedSetAddAsync(DueKey, member, nextOccurrence.ToUnixTimeSeconds());
        _ = transaction.SetAddAsync(UserKey(id.Uid), member);
        _ = transaction.SetAddAsync(UsersKey, id.Uid);
        _ = transaction.HashDeleteAsync(QuarantineKey, member);
        await transaction.ExecuteAsync();
    }

    /// <summary>Drops <paramref name="id"/> from the index, its claim and the quarantine.</summary>
    public async Task RemoveAsync(ScheduleId id) =>
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.Remove, [DueKey, HeldKey, QuarantineKey], [id.ToString()]);

    /// <summary>Drops every schedule of a venue (when the venue is deleted).</summary>
    public async Task RemoveVenueAsync(string uid, string venue) =>
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.RemovePrefix, [DueKey, HeldKey, QuarantineKey, UserKey(uid)],
            [ScheduleId.VenuePrefix(uid, venue)]);

    /// <summary>Drops every schedule of a user (when the account is deleted). Idempotent.</summary>
    public async Task RemoveUserAsync(string uid)
    {
        await Database.StringSetAsync(RemovedUserKeyPrefix + uid, 1, RemovedUserMarkerLifetime);
        await Database.ScriptEvaluateAsync(ScheduleIndexScripts.RemovePrefix, [DueKey, HeldKey, QuarantineKey, UserKey(uid)], [""]);
        await Database.SetRemoveAsync(UsersKey, uid);
    }
}
