using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;

namespace AuthApp.Scheduler.Tests;

public sealed class ScheduleLoopTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    /// <summary>How often a waiting test moves the fake clock on by a second: its time runs 40 times as fast as real time.</summary>
    private static readonly TimeSpan ClockStep = TimeSpan.FromMilliseconds(25);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_loop_wakes_when_the_next_occurrence_comes_due_not_an_interval_later()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Due.AddSeconds(-10), options => options.Interval = TimeSpan.FromMinutes(1));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        await harness.BuildIndexAsync();
        var loop = harness.CreateLoop();
        await loop.StartAsync(Cancellation);
        try
        {
            // The clock goes a few seconds past the minute and no further: an interval-long sleep would never end.
            // (A few seconds: a loop that computed its wake-up from a reading of the clock taken just before the test
            // advanced it wakes a second or two after the minute.)
            await Eventually.TrueAsync(async () =>
            {
                if (harness.Clock.GetUtcNow() < Due.AddSeconds(5))
                {
                    harness.Clock.Advance(TimeSpan.FromSeconds(1));
                }

                return await harness.DeviceAsync(id) == "on";
            }, "timed out waiting until the schedule fired at its minute", every: ClockStep);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_loop_rebuilds_the_index_by_itself_after_redis_lost_its_data()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Due.AddMinutes(-2));
        var id = await harness.AddUserAsync("u1"); // only in the database: the index is built from it
        var loop = harness.CreateLoop();
        await loop.StartAsync(Cancellation);
        try
        {
            // Built means marked built: a flush before the rebuild's end would be the same incident, not a second one.
            await Eventually.TrueAsync(harness.IndexBuiltAsync, "timed out waiting until the first start built the index");
            Assert.Equal(Due.ToUnixTimeSeconds(), await harness.ScoreAsync(id));

            await harness.FlushRedisAsync();

            await Eventually.TrueAsync(async () =>
            {
                if (harness.Clock.GetUtcNow() < Due)
                {
                    harness.Clock.Advance(TimeSpan.FromSeconds(1));
                }

                return await harness.DeviceAsync(id) == "on";
            }, "timed out waiting until the schedule fired from the rebuilt index", every: ClockStep);
            Assert.True(await harness.IndexBuiltAsync());
            // Once at the first start, once for the loss: never once per cycle.
            Assert.Equal(2, harness.Logs.GetSnapshot().Count(log => log.Message.Contains("rebuilding it from the database", StringComparison.Ordinal)));
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }
    }
}
