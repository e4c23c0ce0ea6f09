using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Scheduler.Faults;
using AuthApp.Scheduler.Tests.Infrastructure;

namespace AuthApp.Scheduler.Tests;

public sealed class FaultNotifierTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_faulty_user_is_notified_at_most_once_an_hour()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        await harness.AddUserAsync("u1", time: null);
        await harness.Database.SetAsync("users/u1/venues/kitchen/faults", JsonValue.Create("Leak detected"), Cancellation);

        Assert.Equal(1, await harness.Faults.RunPageAsync(Cancellation));
        harness.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await harness.Faults.RunPageAsync(Cancellation));
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Redis.KeyDeleteAsync(FaultNotifier.CooldownKeyPrefix + "u1"); // the Redis key's real-time TTL
        Assert.Equal(1, await harness.Faults.RunPageAsync(Cancellation));

        var pushes = harness.Queue.OfType<SendPushJob>();
        Assert.Equal(2, pushes.Count);
        Assert.All(pushes, push => Assert.Equal(("Fault Detected", "Leak detected"), (push.Title, push.Body)));
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync("users/u1/lastFaultNotification", cancellationToken: Cancellation));
    }

    [Fact]
    public async Task The_notifier_pages_through_users_a_page_per_run_and_starts_over()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now, faults: options => options.PageSize = 2);
        foreach (var uid in new[] { "a", "b", "c", "d", "e" })
        {
            await harness.AddUserAsync(uid, time: null);
            await harness.Database.SetAsync($"users/{uid}/venues/kitchen/faults", JsonValue.Create("Fault " + uid), Cancellation);
        }

        Assert.Equal(2, await harness.Faults.RunPageAsync(Cancellation)); // a, b
        Assert.Equal("b", (string?)await harness.Redis.StringGetAsync(FaultNotifier.CursorKey));
        Assert.Equal(2, await harness.Faults.RunPageAsync(Cancellation)); // c, d
        Assert.Equal(1, await harness.Faults.RunPageAsync(Cancellation)); // e, end of pass
        Assert.False(await harness.Redis.KeyExistsAsync(FaultNotifier.CursorKey));
        Assert.Equal(0, await harness.Faults.RunPageAsync(Cancellation)); // a, b again: cooling down

        Assert.Equal(["a", "b", "c", "d", "e"], harness.Queue.OfType<SendPushJob>().Select(push => push.Uid).Order().ToArray());
    }
}
