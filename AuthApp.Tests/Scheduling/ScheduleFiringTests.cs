using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>
/// Schedules set through the API fire on the real scheduler replicas (the AppHost runs two): at the next
/// whole minute, so each test waits up to ~75 s; the classes run in parallel.
/// </summary>
public sealed class ScheduleFiringTests(AppHostFixture host)
{
    private static readonly TimeSpan FireTimeout = TimeSpan.FromSeconds(100);

    [Fact]
    public async Task A_schedule_set_through_the_api_fires_once_and_updates_the_device()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        var (time, at) = UpcomingMinute.After(TimeSpan.FromSeconds(15));

        await user.SetScheduleAsync("kitchen", "lamp", time, "on");

        var id = $"{user.Uid}/kitchen/lamp";
        await Eventually.TrueAsync(
            async () => (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/kitchen/lamp") == "on",
            "the device was not switched on by its schedule", FireTimeout);
        var lastNotified = (long?)await host.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/lastNotified");
        Assert.InRange(lastNotified ?? 0, at.ToUnixTimeSeconds(), at.ToUnixTimeSeconds() + 30);

        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        // The next occurrence is tomorrow (the same script records the firing in the audit stream).
        await Eventually.TrueAsync(async () => await redis.SortedSetScoreAsync("authapp:schedules:due", id) == at.AddDays(1).ToUnixTimeSeconds(),
            "the index entry did not move to tomorrow");
        Assert.Equal([(at.ToUnixTimeSeconds(), "fired")], await FiringsAsync(redis, id));
        // The "Schedule Completed" push went through the queue and was handled by a replica.
        await Eventually.TrueAsync(
            () => redis.KeyExistsAsync($"authapp:jobs:done:push.send:schedule:{id}:{at.ToUnixTimeSeconds()}"),
            "the push job did not complete");
    }

    [Fact]
    public async Task Two_scheduler_replicas_fire_every_occurrence_exactly_once()
    {
        using var user = await host.SignUpAsync();
        var devices = Enumerable.Range(1, 20).Select(i => $"light{i:D2}").ToList();
        foreach (var device in devices)
        {
            await user.AddDeviceAsync("hall", device);
        }

        var (time, at) = UpcomingMinute.After(TimeSpan.FromSeconds(15));
        foreach (var device in devices)
        {
            await user.SetScheduleAsync("hall", device, time, "3");
        }

        await Eventually.TrueAsync(async () =>
            (await host.ReadDatabaseAsync($"users/{user.Uid}/venues/hall"))!.AsObject()
                .Count(pair => pair.Value is JsonValue value && value.TryGetValue(out string? state) && state == "3") == devices.Count,
            "not every device was set by its schedule", FireTimeout);

        // Once an entry has moved to tomorrow no replica can claim today's occurrence again: count then.
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        foreach (var device in devices)
        {
            var id = $"{user.Uid}/hall/{device}";
            await Eventually.TrueAsync(async () => await redis.SortedSetScoreAsync("authapp:schedules:due", id) == at.AddDays(1).ToUnixTimeSeconds(),
                $"{device}'s index entry did not move to tomorrow");
            Assert.Single(await FiringsAsync(redis, id));
        }
    }

    /// <summary>The audit stream's record of <paramref name="id"/>'s firings: (occurrence, outcome).</summary>
    internal static async Task<IReadOnlyList<(long Occurrence, string Outcome)>> FiringsAsync(IDatabase redis, string id)
    {
        var entries = await redis.StreamRangeAsync("authapp:schedules:fired");
        return entries.Where(entry => entry["id"] == id).Select(entry => ((long)entry["occurrence"], (string)entry["outcome"]!)).ToList();
    }
}
