using AuthApp.Domain.Schedules;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>
/// Occurrences made due now, so that no test waits for the wall clock's next minute. A schedule is set through the
/// API for the whole UTC minute that has just gone by: the API indexes its next occurrence, tomorrow. The test then
/// puts today's occurrence back in the index, which is the state the index would be in had the schedule been set a
/// minute earlier. The scheduler replicas decide the rest as ever: the stored definition must name that minute, and
/// the occurrence must be inside the catch-up window (it is a minute or two late, of the ten minutes allowed).
/// </summary>
internal static class DueNow
{
    /// <summary>The last whole UTC minute before the current one, as "HH:mm" for the API, and its instant.</summary>
    public static (string Time, DateTimeOffset At) LastMinute()
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-1);
        return (at.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), at);
    }

    /// <summary>Moves the index entries of <paramref name="ids"/> (<c>uid/venue/device</c>) to <paramref name="at"/>, all in one command.</summary>
    public static async Task MakeDueAsync(IDatabase redis, DateTimeOffset at, params string[] ids)
    {
        // Only entries the API indexed: an id that is not in the index would be added, and then fire whatever it is.
        foreach (var id in ids)
        {
            Assert.True(await ScoreAsync(redis, id) > at.ToUnixTimeSeconds(), $"{id} is not indexed for a later occurrence");
        }

        await Task.WhenAll(ids.GroupBy(Shard).Select(shardIds =>
            redis.SortedSetAddAsync(shardIds.Key.DueKey, [.. shardIds.Select(id => new SortedSetEntry(id, at.ToUnixTimeSeconds()))])));
    }

    /// <summary>The score of <paramref name="id"/> (<c>uid/venue/device</c>) in the index, if it is there.</summary>
    public static Task<double?> ScoreAsync(IDatabase redis, string id) => redis.SortedSetScoreAsync(Shard(id).DueKey, id);

    /// <summary>Whether every shard of the index is marked built.</summary>
    public static async Task<bool> IndexBuiltAsync(IDatabase redis) =>
        (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => redis.KeyExistsAsync(shard.BuiltKey)))).All(built => built);

    /// <summary>The audit stream's record of <paramref name="id"/>'s firings: (occurrence, outcome).</summary>
    public static async Task<IReadOnlyList<(long Occurrence, string Outcome)>> FiringsAsync(IDatabase redis, string id)
    {
        var entries = await redis.StreamRangeAsync(Shard(id).AuditStream);
        return entries.Where(entry => entry["id"] == id).Select(entry => ((long)entry["occurrence"], (string)entry["outcome"]!)).ToList();
    }

    private static ScheduleIndexShard Shard(string id) => ScheduleIndexShard.Of(id[..id.IndexOf('/')]);
}
