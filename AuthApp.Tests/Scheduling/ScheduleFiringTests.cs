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
        await using var stack = new SchedulingStack(host);
        using var user = await stack.NewUserAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        var (time, at) = SchedulingStack.NextMinute();

        await user.SetScheduleAsync("kitchen", "lamp", time, "on");

        var id = $"{user.Uid}/kitchen/lamp";
        Assert.True(await SchedulingStack.EventuallyAsync(
            async () => (string?)await stack.ReadAsync($"users/{user.Uid}/venues/kitchen/lamp") == "on", FireTimeout),
            "the device was not switched on by its schedule");
        var lastNotified = (long?)await stack.ReadAsync($"users/{user.Uid}/schedules/kitchen/lamp/lastNotified");
        Assert.InRange(lastNotified ?? 0, at.ToUnixTimeSeconds(), at.ToUnixTimeSeconds() + 30);

        var redis = await stack.RedisAsync();
        Assert.Equal("fired", (string?)await redis.StringGetAsync($"authapp:schedules:fired:{id}:{at.ToUnixTimeSeconds()}"));
        Assert.Equal(1, await FiredCountAsync(redis, id));
        // The next occurrence is tomorrow.
        Assert.Equal(at.AddDays(1).ToUnixTimeSeconds(), await redis.SortedSetScoreAsync("authapp:schedules:due", id));
        // The "Schedule Completed" push went through the queue and was handled by a replica.
        Assert.True(await SchedulingStack.EventuallyAsync(
            () => redis.KeyExistsAsync($"authapp:jobs:done:push.send:schedule:{id}:{at.ToUnixTimeSeconds()}"), TimeSpan.FromSeconds(20)),
            "the push job did not complete");
    }

    [Fact]
    public async Task Two_scheduler_replicas_fire_every_occurrence_exactly_once()
    {
        await using var stack = new SchedulingStack(host);
        using var user = await stack.NewUserAsync();
        var devices = Enumerable.Range(1, 20).Select(i => $"light{i:D2}").ToList();
        foreach (var device in devices)
        {
            await user.AddDeviceAsync("hall", device);
        }

        var (time, at) = SchedulingStack.NextMinute();
        foreach (var device in devices)
        {
            await user.SetScheduleAsync("hall", device, time, "3");
        }

        Assert.True(await SchedulingStack.EventuallyAsync(async () =>
            (await stack.ReadAsync($"users/{user.Uid}/venues/hall"))!.AsObject()
                .Count(pair => pair.Value is JsonValue value && value.TryGetValue(out string? state) && state == "3") == devices.Count, FireTimeout),
            "not every device was set by its schedule");

        // Give a duplicate the time to happen, then count.
        await Task.Delay(TimeSpan.FromSeconds(6), TestContext.Current.CancellationToken);
        var redis = await stack.RedisAsync();
        foreach (var device in devices)
        {
            Assert.Equal(1, await FiredCountAsync(redis, $"{user.Uid}/hall/{device}"));
        }
    }

    /// <summary>How many times the audit stream saw <paramref name="id"/> fire.</summary>
    private static async Task<int> FiredCountAsync(IDatabase redis, string id)
    {
        var entries = await redis.StreamRangeAsync("authapp:schedules:fired");
        return entries.Count(entry => entry["id"] == id);
    }
}
