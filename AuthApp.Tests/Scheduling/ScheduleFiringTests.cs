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
        var (time, at) = NextMinute();

        await user.SetScheduleAsync("kitchen", "lamp", time, "on");

        var id = $"{user.Uid}/kitchen/lamp";
        await Eventually.TrueAsync(
            async () => (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/kitchen/lamp") == "on",
            "the device was not switched on by its schedule", FireTimeout);
        var lastNotified = (long?)await host.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/lastNotified");
        Assert.InRange(lastNotified ?? 0, at.ToUnixTimeSeconds(), at.ToUnixTimeSeconds() + 30);

        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        Assert.Equal("fired", (string?)await redis.StringGetAsync($"authapp:schedules:fired:{id}:{at.ToUnixTimeSeconds()}"));
        Assert.Equal(1, await FiredCountAsync(redis, id));
        // The next occurrence is tomorrow.
        Assert.Equal(at.AddDays(1).ToUnixTimeSeconds(), await redis.SortedSetScoreAsync("authapp:schedules:due", id));
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

        var (time, at) = NextMinute();
        foreach (var device in devices)
        {
            await user.SetScheduleAsync("hall", device, time, "3");
        }

        await Eventually.TrueAsync(async () =>
            (await host.ReadDatabaseAsync($"users/{user.Uid}/venues/hall"))!.AsObject()
                .Count(pair => pair.Value is JsonValue value && value.TryGetValue(out string? state) && state == "3") == devices.Count,
            "not every device was set by its schedule", FireTimeout);

        // Give a duplicate the time to happen, then count.
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        foreach (var device in devices)
        {
            Assert.Equal(1, await FiredCountAsync(redis, $"{user.Uid}/hall/{device}"));
        }
    }

    /// <summary>The next whole UTC minute at least 15 s away, as "HH:mm", and its instant.</summary>
    private static (string Time, DateTimeOffset At) NextMinute()
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        if (at - now < TimeSpan.FromSeconds(15))
        {
            at = at.AddMinutes(1);
        }

        return (at.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), at);
    }

    /// <summary>How many times the audit stream saw <paramref name="id"/> fire.</summary>
    private static async Task<int> FiredCountAsync(IDatabase redis, string id)
    {
        var entries = await redis.StreamRangeAsync("authapp:schedules:fired");
        return entries.Count(entry => entry["id"] == id);
    }
}
