using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;

namespace AuthApp.Scheduler.Tests;

public sealed class IndexRebuildTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 35, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rebuild_indexes_enabled_schedules_keeping_occurrences_missed_within_the_window()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now, options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
        var missed = await harness.AddUserAsync("u1", "07:30 AM");                      // 5 min ago: still fires
        var old = await harness.AddUserAsync("u2", "07:00 AM");                         // 35 min ago: next is tomorrow
        var fired = await harness.AddUserAsync("u3", "07:30 AM", lastNotified: Now.AddMinutes(-4).ToUnixTimeSeconds());
        var zoned = await harness.AddUserAsync("u4", "10:00", userZone: "Europe/London");
        await harness.AddUserAsync("u5", "07:30 AM", status: "disable");
        await harness.AddUserAsync("u6", time: null);
        var stale = new ScheduleId("gone", "kitchen", "lamp");
        await harness.Index.UpsertAsync(stale, Now);

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.NotNull(summary);
        Assert.Equal((6, 4, 4, 1), (summary.Users, summary.Schedules, summary.Added, summary.Removed));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 7, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(missed));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(old));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(fired));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(zoned));
        Assert.Null(await harness.ScoreAsync(stale));
        Assert.Equal(4, await harness.Index.CountAsync());
    }

    [Fact]
    public async Task Rebuild_keeps_pending_occurrences_and_runs_on_one_replica_at_a_time()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        var id = await harness.AddUserAsync("u1", "07:30 AM");
        await harness.Index.UpsertAsync(id, Now.AddMinutes(-1)); // pending, not yet fired

        await harness.Redis.StringSetAsync(ScheduleIndexRebuilder.LockKey, "other");
        Assert.Null(await harness.Rebuilder.RebuildAsync(Cancellation));
        await harness.Redis.KeyDeleteAsync(ScheduleIndexRebuilder.LockKey);

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal(0, summary!.Added);
        Assert.Equal(Now.AddMinutes(-1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }
}
