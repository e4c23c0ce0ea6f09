using StackExchange.Redis;

namespace AuthApp.Domain.Schedules;

/// <summary>
/// The index the scheduler reads instead of the whole database: a Redis sorted set of enabled schedules
/// scored by their next occurrence (Unix seconds), plus a set per user so that a user's schedules can be
/// dropped without a scan. The API keeps it up to date on every schedule write; the scheduler advances
/// entries as it fires them and rebuilds it from the database at start-up and on demand.
/// </summary>
public sealed class DueScheduleIndex(IConnectionMultiplexer redis)
{
    public const string DueKey = "authapp:schedules:due";
    private const string UserKeyPrefix = "authapp:schedules:user:";

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Records (or moves) <paramref name="id"/>'s next occurrence.</summary>
    public async Task UpsertAsync(ScheduleId id, DateTimeOffset nextOccurrence)
    {
        var member = id.ToString();
        var transaction = Database.CreateTransaction();
        _ = transaction.SortedSetAddAsync(DueKey, member, nextOccurrence.ToUnixTimeSeconds());
        _ = transaction.SetAddAsync(UserKeyPrefix + id.Uid, member);
        await transaction.ExecuteAsync();
    }

    /// <summary>Adds <paramref name="id"/> only if it is not indexed yet (a rebuild keeps pending occurrences).</summary>
    /// <returns>True when the entry was added.</returns>
    public async Task<bool> AddIfMissingAsync(ScheduleId id, DateTimeOffset nextOccurrence)
    {
        var member = id.ToString();
        var transaction = Database.CreateTransaction();
        var added = transaction.SortedSetAddAsync(DueKey, member, nextOccurrence.ToUnixTimeSeconds(), SortedSetWhen.NotExists);
        _ = transaction.SetAddAsync(UserKeyPrefix + id.Uid, member);
        await transaction.ExecuteAsync();
        return await added;
    }

    public async Task RemoveAsync(ScheduleId id)
    {
        var member = id.ToString();
        var transaction = Database.CreateTransaction();
        _ = transaction.SortedSetRemoveAsync(DueKey, member);
        _ = transaction.SetRemoveAsync(UserKeyPrefix + id.Uid, member);
        await transaction.ExecuteAsync();
    }

    /// <summary>
    /// Removes <paramref name="id"/> only while it is still at <paramref name="occurrence"/>, so that a
    /// concurrent re-index by the API (a new score) survives the scheduler's clean-up.
    /// </summary>
    public async Task<bool> RemoveIfAtAsync(ScheduleId id, DateTimeOffset occurrence)
    {
        var result = await Database.ScriptEvaluateAsync(RemoveIfAtScript,
            [DueKey, UserKeyPrefix + id.Uid], [id.ToString(), occurrence.ToUnixTimeSeconds()]);
        return (int)result == 1;
    }

    /// <summary>Drops every schedule of a venue (when the venue is deleted).</summary>
    public Task RemoveVenueAsync(string uid, string venue) =>
        RemoveWhereAsync(uid, id => id.Venue == venue);

    /// <summary>Drops every schedule of a user (when the account is deleted).</summary>
    public Task RemoveUserAsync(string uid) => RemoveWhereAsync(uid, _ => true);

    /// <summary>The user's indexed schedules (e.g. to re-time them when the user's time zone changes).</summary>
    public async Task<IReadOnlyList<ScheduleId>> ForUserAsync(string uid)
    {
        var members = await Database.SetMembersAsync(UserKeyPrefix + uid);
        return members.Select(member => ScheduleId.TryParse(member, out var id) ? id : (ScheduleId?)null)
            .OfType<ScheduleId>()
            .ToList();
    }

    /// <summary>Schedules whose next occurrence is at or before <paramref name="now"/>, oldest first.</summary>
    public async Task<IReadOnlyList<DueSchedule>> DueAsync(DateTimeOffset now, int limit)
    {
        var entries = await Database.SortedSetRangeByScoreWithScoresAsync(
            DueKey, double.NegativeInfinity, now.ToUnixTimeSeconds(), take: limit);
        return entries
            .Select(entry => ScheduleId.TryParse(entry.Element, out var id)
                ? new DueSchedule(id, DateTimeOffset.FromUnixTimeSeconds((long)entry.Score))
                : (DueSchedule?)null)
            .OfType<DueSchedule>()
            .ToList();
    }

    /// <summary>
    /// Moves <paramref name="id"/> from <paramref name="occurrence"/> to <paramref name="next"/>, unless
    /// the API re-timed it meanwhile (then its score is no longer <paramref name="occurrence"/>).
    /// </summary>
    public async Task<bool> AdvanceAsync(ScheduleId id, DateTimeOffset occurrence, DateTimeOffset next)
    {
        var result = await Database.ScriptEvaluateAsync(AdvanceScript,
            [DueKey], [id.ToString(), occurrence.ToUnixTimeSeconds(), next.ToUnixTimeSeconds()]);
        return (int)result == 1;
    }

    public Task<long> CountAsync() => Database.SortedSetLengthAsync(DueKey);

    private async Task RemoveWhereAsync(string uid, Func<ScheduleId, bool> predicate)
    {
        foreach (var id in (await ForUserAsync(uid)).Where(predicate))
        {
            await RemoveAsync(id);
        }
    }

    private const string RemoveIfAtScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('SREM', KEYS[2], ARGV[1])
          return 1
        end
        return 0
        """;

    private const string AdvanceScript = """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
          return 1
        end
        return 0
        """;
}

public readonly record struct DueSchedule(ScheduleId Id, DateTimeOffset Occurrence);
