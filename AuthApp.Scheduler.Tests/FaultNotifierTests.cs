using System.Text.Json.Nodes;
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

        var pushes = await harness.QueuedPushesAsync();
        Assert.Equal(2, pushes.Count);
        Assert.All(pushes, push => Assert.Equal(("Fault Detected", "Leak detected"), (push.Title, push.Body)));
        Assert.Equal(Now.AddHours(1).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync("users/u1/lastFaultNotification", cancellationToken: Cancellation));
    }

    [Fact]
    public async Task The_notifier_works_through_a_pass_a_page_per_run_and_starts_over()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now, faults: options => options.PageSize = 2);
        foreach (var uid in new[] { "a", "b", "c", "d", "e" })
        {
            await harness.AddUserAsync(uid, time: null);
            await harness.Database.SetAsync($"users/{uid}/venues/kitchen/faults", JsonValue.Create("Fault " + uid), Cancellation);
        }

        Assert.Equal(2, await harness.Faults.RunPageAsync(Cancellation)); // a, b
        Assert.Equal(["c", "d", "e"], (await harness.Redis.ListRangeAsync(FaultNotifier.PassKey)).Select(uid => (string)uid!));
        Assert.Equal(2, await harness.Faults.RunPageAsync(Cancellation)); // c, d
        Assert.Equal(1, await harness.Faults.RunPageAsync(Cancellation)); // e, end of pass
        Assert.Equal(0, await harness.Faults.RunPageAsync(Cancellation)); // a new pass: a, b are cooling down

        Assert.Equal(["a", "b", "c", "d", "e"], (await harness.QueuedPushesAsync()).Select(push => push.Uid).Order().ToArray());
    }

    [Fact]
    public async Task The_notifier_reads_only_what_the_faults_rule_needs()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        await harness.AddUserAsync("quiet");
        await harness.AddUserAsync("faulty");
        await harness.Database.SetAsync("users/faulty/venues/kitchen/faults", JsonValue.Create("Smoke"), Cancellation);
        foreach (var uid in new[] { "quiet", "faulty" })
        {
            await harness.Database.SetAsync($"users/{uid}/secure/gemini_key", JsonValue.Create("secret"), Cancellation);
            await harness.Database.SetAsync($"users/{uid}/monitoring_venues/kitchen/temp", JsonValue.Create("21"), Cancellation);
        }

        var probe = new DatabaseProbe(harness.Database);
        Assert.Equal(1, await harness.CreateFaultNotifier(probe).RunPageAsync(Cancellation));

        Assert.Equal(
            ["users/faulty/lastFaultNotification", "users/faulty/venues/kitchen/faults", "users/faulty/venues?shallow",
             "users/quiet/venues/kitchen/faults", "users/quiet/venues?shallow", "users?shallow"],
            probe.Reads.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_user_whose_read_fails_does_not_stop_the_page()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        await harness.AddUserAsync("a-broken", time: null);
        await harness.Database.SetAsync("users/a-broken/venues", JsonValue.Create("not venues"), Cancellation);
        await harness.AddUserAsync("b-faulty", time: null);
        await harness.Database.SetAsync("users/b-faulty/venues/kitchen/faults", JsonValue.Create("Leak"), Cancellation);
        var probe = new DatabaseProbe(harness.Database)
        {
            BeforeRead = path => path.StartsWith("users/a-broken/", StringComparison.Ordinal)
                ? throw new AuthApp.Firebase.Database.DatabaseException(AuthApp.Firebase.Database.DatabaseErrorKind.Unavailable, "timeout")
                : Task.CompletedTask,
        };

        Assert.Equal(1, await harness.CreateFaultNotifier(probe).RunPageAsync(Cancellation));
        Assert.Equal("b-faulty", Assert.Single(await harness.QueuedPushesAsync()).Uid);
    }
}
