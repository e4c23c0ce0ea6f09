using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>
/// Schedules set through the API fire on the real scheduler replicas (the AppHost runs two): the device is written,
/// the index moves on to tomorrow, the audit stream records one firing and the "Schedule Completed" push goes
/// through the queue. The occurrences are made due now (<see cref="DueNow"/>); the replicas look at the index at
/// least every 5 s.
/// </summary>
public sealed class ScheduleFiringTests(AppHostFixture host)
{
    private static readonly TimeSpan FireTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_schedule_set_through_the_api_fires_once_and_updates_the_device()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        var (time, at) = DueNow.LastMinute();
        await user.SetScheduleAsync("kitchen", "lamp", time, "on");
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        var id = $"{user.Uid}/kitchen/lamp";

        await DueNow.MakeDueAsync(redis, at, id);

        await Eventually.TrueAsync(
            async () => (string?)await host.ReadDatabaseAsync($"users/{user.Uid}/venues/kitchen/lamp") == "on",
            "the device was not switched on by its schedule", FireTimeout);
        var lastNotified = (long?)await host.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/lastNotified");
        Assert.InRange(lastNotified ?? 0, at.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // The next occurrence is tomorrow (the same script records the firing in the audit stream).
        await Eventually.TrueAsync(async () => await redis.SortedSetScoreAsync(DueNow.DueKey, id) == at.AddDays(1).ToUnixTimeSeconds(),
            "the index entry did not move to tomorrow");
        Assert.Equal([(at.ToUnixTimeSeconds(), "fired")], await DueNow.FiringsAsync(redis, id));
        // The "Schedule Completed" push went through the queue and was handled by a replica.
        await Eventually.TrueAsync(
            () => redis.KeyExistsAsync($"{{authapp:jobs}}:done:push.send:schedule:{id}:{at.ToUnixTimeSeconds()}"),
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

        var (time, at) = DueNow.LastMinute();
        foreach (var device in devices)
        {
            await user.SetScheduleAsync("hall", device, time, "3");
        }

        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        var ids = devices.Select(device => $"{user.Uid}/hall/{device}").ToArray();

        // All twenty due at the same instant: both replicas find them on their next look and race for them.
        await DueNow.MakeDueAsync(redis, at, ids);

        await Eventually.TrueAsync(async () =>
            (await host.ReadDatabaseAsync($"users/{user.Uid}/venues/hall"))!.AsObject()
                .Count(pair => pair.Value is JsonValue value && value.TryGetValue(out string? state) && state == "3") == devices.Count,
            "not every device was set by its schedule", FireTimeout);

        // Once an entry has moved to tomorrow no replica can claim today's occurrence again: count then.
        foreach (var id in ids)
        {
            await Eventually.TrueAsync(async () => await redis.SortedSetScoreAsync(DueNow.DueKey, id) == at.AddDays(1).ToUnixTimeSeconds(),
                $"{id}'s index entry did not move to tomorrow");
            Assert.Single(await DueNow.FiringsAsync(redis, id));
        }
    }
}
