using System.Diagnostics.Metrics;
using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AuthApp.Scheduler.Tests;

/// <summary><c>authapp.scheduler.cycle.duration</c> measures a look at the index, not the sleep between looks.</summary>
public sealed class CycleDurationTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    private static readonly TimeSpan SlowRead = TimeSpan.FromSeconds(2);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_cycle_duration_records_each_cycles_work_and_not_the_sleep_after_it()
    {
        var interval = TimeSpan.FromSeconds(5);
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Due - interval, options => options.Interval = interval);
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        await harness.BuildIndexAsync();
        // The firing cycle's first database read takes two seconds of the (fake) clock.
        var probe = new DatabaseProbe(harness.Database);
        var slowed = 0;
        probe.BeforeRead = _ =>
        {
            if (Interlocked.Exchange(ref slowed, 1) == 0)
            {
                harness.Clock.Advance(SlowRead);
            }

            return Task.CompletedTask;
        };
        var telemetry = harness.Services.GetRequiredService<SchedulerTelemetry>();
        using var cycles = new MetricCollector<double>(telemetry.CycleDuration);
        var loop = ActivatorUtilities.CreateInstance<ScheduleLoop>(harness.Services, (TimeProvider)harness.Clock, harness.CreateReplica(probe));
        await loop.StartAsync(Cancellation);
        try
        {
            // Idle (nothing due yet), then the sleep until the occurrence, the firing cycle, a sleep, an idle cycle.
            await CyclesAsync(cycles, 1, harness, interval);
            await CyclesAsync(cycles, 2, harness, interval);
            await CyclesAsync(cycles, 3, harness, interval);
        }
        finally
        {
            await loop.StopAsync(CancellationToken.None);
        }

        Assert.Equal(
            [(0.0, SchedulerTelemetry.CycleIdle), (SlowRead.TotalSeconds, SchedulerTelemetry.CycleWorked), (0.0, SchedulerTelemetry.CycleIdle)],
            cycles.GetMeasurementSnapshot().Take(3).Select(cycle => (cycle.Value, (string)cycle.Tags[SchedulerTelemetry.CycleOutcomeTag]!)));
        Assert.Equal("on", await harness.DeviceAsync(id));
    }

    [Fact]
    public void The_cycle_duration_has_buckets_in_seconds()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var telemetry = new SchedulerTelemetry(meters.GetRequiredService<IMeterFactory>());

        var boundaries = telemetry.CycleDuration.Advice?.HistogramBucketBoundaries;

        Assert.NotNull(boundaries);
        Assert.True(boundaries[0] <= 0.001 && boundaries[^1] >= 30, $"buckets {string.Join(", ", boundaries)}");
    }

    /// <summary>
    /// Waits for the <paramref name="count"/>th cycle, moving the clock on by an interval only while the loop sleeps
    /// (after a cycle was recorded): a move during a cycle would be part of its duration. A move made just before the
    /// loop started its sleep wakes nothing; it is made again after a while.
    /// </summary>
    private static async Task CyclesAsync(MetricCollector<double> cycles, int count, SchedulerHarness harness, TimeSpan interval)
    {
        if (count > 1)
        {
            harness.Clock.Advance(interval);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var nudge = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (cycles.GetMeasurementSnapshot().Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"cycle {count} was recorded");
            if (count > 1 && DateTime.UtcNow > nudge)
            {
                harness.Clock.Advance(interval);
                nudge = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            }

            await Task.Delay(25, Cancellation);
        }
    }
}
