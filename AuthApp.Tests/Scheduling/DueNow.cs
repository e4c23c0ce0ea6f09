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
    public const string DueKey = "authapp:schedules:due";

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
            Assert.True(await redis.SortedSetScoreAsync(DueKey, id) > at.ToUnixTimeSeconds(), $"{id} is not indexed for a later occurrence");
        }

        await redis.SortedSetAddAsync(DueKey, [.. ids.Select(id => new SortedSetEntry(id, at.ToUnixTimeSeconds()))]);
    }

    /// <summary>The audit stream's record of <paramref name="id"/>'s firings: (occurrence, outcome).</summary>
    public static async Task<IReadOnlyList<(long Occurrence, string Outcome)>> FiringsAsync(IDatabase redis, string id)
    {
        var entries = await redis.StreamRangeAsync("authapp:schedules:fired");
        return entries.Where(entry => entry["id"] == id).Select(entry => ((long)entry["occurrence"], (string)entry["outcome"]!)).ToList();
    }
}
