using System.Collections.Concurrent;
using System.Diagnostics;
using AuthApp.Scheduler.Tests.Infrastructure;

namespace AuthApp.Scheduler.Tests;

/// <summary>Listens to every span of the scheduler's source, so it runs alone.</summary>
[CollectionDefinition(nameof(CycleTracingTests), DisableParallelization = true)]
public sealed class CycleTracingCollection;

[Collection(nameof(CycleTracingTests))]
public sealed class CycleTracingTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task An_idle_cycle_records_no_span_and_a_cycle_that_fires_records_one()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Due.AddSeconds(1));
        var id = await harness.AddUserAsync("u1", "07:31");
        await harness.Index.UpsertAsync(id, Due.AddMinutes(1));

        for (var cycle = 0; cycle < 3; cycle++)
        {
            await harness.Runner.RunDueAsync(TestContext.Current.CancellationToken);
        }

        Assert.Empty(spans);

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        await harness.Runner.RunDueAsync(TestContext.Current.CancellationToken);

        var cycleSpan = Assert.Single(spans, span => span.OperationName == "scheduler cycle");
        Assert.Equal(1, cycleSpan.GetTagItem("authapp.scheduler.fired"));
        Assert.Equal(cycleSpan.SpanId, Assert.Single(spans, span => span.OperationName == "schedule batch").ParentSpanId);
    }

    [Fact]
    public async Task A_batch_write_span_says_how_many_users_and_devices_it_changed()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Due.AddSeconds(1));
        await harness.AddBurstAsync("w", users: 3, devices: 2, "07:30", Due);
        // Claimed in the same batch but disabled: removed from the index, nothing written.
        var disabled = await harness.AddUserAsync("x", "07:30", status: "disable");
        await harness.Index.UpsertAsync(disabled, Due);

        await harness.Runner.RunDueAsync(TestContext.Current.CancellationToken);

        // The users may be in different shards of the index, so in batches of their own: each batch's write counts its own.
        var batches = spans.Where(span => span.OperationName == "schedule batch").Select(span => span.SpanId).ToHashSet();
        var writes = spans.Where(span => span.OperationName == "schedule batch write").ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, write =>
        {
            Assert.Contains(write.ParentSpanId, batches);
            Assert.Equal(2 * (int)write.GetTagItem("authapp.batch.users")!, write.GetTagItem("authapp.batch.devices"));
            Assert.Equal(ActivityStatusCode.Unset, write.Status);
        });
        Assert.Equal(3, writes.Sum(write => (int)write.GetTagItem("authapp.batch.users")!));
        Assert.Equal(6, writes.Sum(write => (int)write.GetTagItem("authapp.batch.devices")!));
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SchedulerTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
