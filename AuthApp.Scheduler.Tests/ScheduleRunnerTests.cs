using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AuthApp.Scheduler.Tests;

/// <summary>Firing, claims and leases, on one Redis and on a Redis Cluster (the index's scripts touch one slot each).</summary>
public abstract class ScheduleRunnerTests(IRedisTarget redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<SchedulerHarness> StartAsync(DateTimeOffset now, Action<SchedulerOptions>? configure = null) =>
        SchedulerHarness.StartAsync(redis, emulator, now, configure);

    [Fact]
    public async Task A_due_schedule_sets_the_device_records_lastNotified_and_queues_the_push()
    {
        await using var harness = await StartAsync(Due.AddSeconds(3));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        using var lateness = LatenessCollector(harness);

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Fired]);
        Assert.Equal("on", await harness.DeviceAsync(id));
        Assert.Equal(Due.AddSeconds(3).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync("users/u1/schedules/kitchen/lamp/lastNotified", cancellationToken: Cancellation));
        var push = Assert.Single(await harness.QueuedPushesAsync());
        Assert.Equal(("u1", "Schedule Completed", "lamp in kitchen turned on", $"schedule:{id}:{Due.ToUnixTimeSeconds()}"),
            (push.Uid, push.Title, push.Body, push.IdempotencyKey));
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.Equal(3, Assert.Single(lateness.GetMeasurementSnapshot()).Value);
        Assert.Equal([(id.ToString(), Due.ToUnixTimeSeconds(), "fired")], await harness.AuditAsync());
        Assert.Equal(0, await harness.HeldEntriesAsync());
    }

    [Fact]
    public async Task A_schedule_fires_at_the_users_local_time()
    {
        // 07:30 in Kolkata is 02:00 UTC.
        var due = new DateTimeOffset(2026, 6, 15, 2, 0, 0, TimeSpan.Zero);
        await using var harness = await StartAsync(due.AddMinutes(-1));
        var id = await harness.AddUserAsync("u1", "07:30 AM", userZone: "Asia/Kolkata");
        await harness.Index.UpsertAsync(id, Occurrences.Next(new TimeOnly(7, 30), TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata"), harness.Clock.GetUtcNow()));

        Assert.Equal(0, (await harness.Runner.RunDueAsync(Cancellation)).Total);
        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await harness.Runner.RunDueAsync(Cancellation))[FireOutcome.Fired]);
    }

    [Fact]
    public async Task An_occurrence_missed_while_down_fires_late_within_the_window_and_reports_its_lateness()
    {
        await using var harness = await StartAsync(Due.AddMinutes(4), options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        using var lateness = LatenessCollector(harness);

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Fired]);
        Assert.Equal(240, Assert.Single(lateness.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task An_occurrence_beyond_the_window_is_skipped_recorded_as_skipped_and_the_schedule_moves_on()
    {
        await using var harness = await StartAsync(Due.AddMinutes(11), options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        using var skipped = new MetricCollector<long>(harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            SchedulerTelemetry.Name, "authapp.scheduler.schedules.skipped");

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Skipped]);
        Assert.Equal("off", await harness.DeviceAsync(id));
        Assert.Empty(await harness.QueuedPushesAsync());
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.Equal(1, Assert.Single(skipped.GetMeasurementSnapshot()).Value);
        Assert.Equal((id.ToString(), Due.ToUnixTimeSeconds(), "skipped"), Assert.Single(await harness.AuditAsync()));
    }

    [Fact]
    public async Task Two_replicas_share_a_burst_in_disjoint_batches_and_fire_each_occurrence_once()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.BatchSize = 20);
        var ids = await harness.AddBurstAsync("u", users: 40, devices: 10, "07:30", Due);
        // The first replica waits in its first batch until the second has fired one: both surely take part.
        var secondFiredOne = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = harness.CreateReplica(new DatabaseProbe(harness.Database) { BeforeRead = _ => secondFiredOne.Task });
        var second = harness.CreateReplica();

        var summaries = await Task.WhenAll(
            first.RunDueAsync(Cancellation),
            second.RunDueAsync(Cancellation, () => secondFiredOne.TrySetResult()));

        Assert.All(summaries, summary => Assert.InRange(summary[FireOutcome.Fired], 20, 380));
        Assert.Equal(400, summaries.Sum(summary => summary[FireOutcome.Fired]));
        Assert.All(summaries, summary => Assert.Equal(summary[FireOutcome.Fired], summary.Total));
        var audit = await harness.AuditAsync();
        Assert.Equal(400, audit.Count);
        Assert.Equal(ids.Select(id => id.ToString()).Order(), audit.Select(entry => entry.Id).Order());
        var pushes = await harness.QueuedPushesAsync();
        Assert.Equal(400, pushes.Select(push => push.IdempotencyKey).Distinct().Count());
        Assert.Equal(400, pushes.Count);
        foreach (var id in ids)
        {
            Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        }
    }

    [Fact]
    public async Task A_replica_killed_mid_batch_loses_and_doubles_nothing()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => (options.BatchSize, options.BatchesInFlight) = (10, 1));
        var ids = await harness.AddBurstAsync("u", users: 3, devices: 10, "07:30", Due);
        var stall = new Stall();
        var dying = new DatabaseProbe(harness.Database) { BeforeRead = _ => stall.HoldAsync() };
        var dyingRun = harness.CreateReplica(dying).RunDueAsync(Cancellation);
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        var meanwhile = await harness.Runner.RunDueAsync(Cancellation);
        harness.Clock.Advance(TimeSpan.FromSeconds(31)); // the dead replica's lease runs out
        var takenOver = await harness.Runner.RunDueAsync(Cancellation);
        stall.Release(); // it was only frozen: it wakes up after the others took its batch over
        var zombie = await dyingRun;

        Assert.Equal(20, meanwhile[FireOutcome.Fired]);
        Assert.Equal(10, takenOver[FireOutcome.Fired]);
        Assert.Equal(10, zombie[FireOutcome.Lost]);
        Assert.Empty(dying.Updates);
        var audit = await harness.AuditAsync();
        Assert.Equal(30, audit.Select(entry => entry.Id).Distinct().Count());
        Assert.Equal(30, audit.Count);
        Assert.Equal(30, (await harness.QueuedPushesAsync()).Count);
        foreach (var id in ids)
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
            Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        }

        Assert.Equal(0, await harness.HeldEntriesAsync());
    }

    [Fact]
    public async Task A_replica_killed_between_writing_and_settling_is_recovered_once_and_not_reported_skipped()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        var stall = new Stall();
        var queue = harness.Services.GetRequiredService<AuthApp.WorkQueue.IWorkQueue>();
        var dyingRun = harness.CreateReplica(queue: new QueueProbe(queue) { BeforeEnqueue = stall.HoldAsync }).RunDueAsync(Cancellation);
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);
        Assert.Equal("on", await harness.DeviceAsync(id)); // written; push not queued; nothing settled

        // The next owner comes long after: past the lease and even past the catch-up window.
        harness.Clock.Advance(TimeSpan.FromMinutes(11));
        var next = new DatabaseProbe(harness.Database);
        var summary = await harness.CreateReplica(next).RunDueAsync(Cancellation);
        stall.Release();
        await dyingRun;

        Assert.Equal((1, 0), (summary[FireOutcome.Recovered], summary[FireOutcome.Skipped]));
        Assert.Empty(next.Updates);
        Assert.Equal($"schedule:{id}:{Due.ToUnixTimeSeconds()}", Assert.Single(await harness.QueuedPushesAsync()).IdempotencyKey);
        Assert.Equal([(id.ToString(), Due.ToUnixTimeSeconds(), "recovered")], await harness.AuditAsync());
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.DoesNotContain(harness.Logs.GetSnapshot(), log => log.Message.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_held_by_a_live_replica_is_left_alone_until_its_lease_ends()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        var stall = new Stall();
        var slowRun = harness.CreateReplica(new DatabaseProbe(harness.Database) { BeforeRead = _ => stall.HoldAsync() }).RunDueAsync(Cancellation);
        await stall.Reached.WaitAsync(TimeSpan.FromSeconds(30), Cancellation);

        harness.Clock.Advance(TimeSpan.FromSeconds(20));
        var other = await harness.Runner.RunDueAsync(Cancellation);
        stall.Release();
        var slow = await slowRun;

        Assert.Equal(0, other.Total);
        Assert.Equal(1, slow[FireOutcome.Fired]);
        Assert.Single(await harness.QueuedPushesAsync());
    }

    [Fact]
    public async Task A_disabled_or_deleted_schedule_leaves_the_index_without_firing()
    {
        await using var harness = await StartAsync(Due);
        var disabled = await harness.AddUserAsync("u1", status: "disable");
        var deleted = new ScheduleId("u2", "kitchen", "lamp");
        await harness.Index.UpsertAsync(disabled, Due);
        await harness.Index.UpsertAsync(deleted, Due);

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(2, summary[FireOutcome.Removed]);
        Assert.Equal(0, await harness.DueEntriesAsync());
        Assert.Empty(await harness.Redis.SetMembersAsync(ScheduleIndexShard.Of("u1").UserKey("u1")));
        Assert.Empty(await harness.QueuedPushesAsync());
    }

    [Fact]
    public async Task A_stopping_runner_claims_nothing_more()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);

        var summary = await harness.Runner.RunDueAsync(new CancellationToken(canceled: true));

        Assert.Equal(0, summary.Total);
        Assert.Equal(Due.ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.Equal(0, await harness.HeldEntriesAsync());
    }

    [Fact]
    public async Task A_schedule_rewritten_behind_the_index_is_retimed_instead_of_fired()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1", "08:15");
        await harness.Index.UpsertAsync(id, Due); // still at the old 07:30

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Retimed]);
        Assert.Empty(await harness.QueuedPushesAsync());
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 15, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task Numeric_venue_and_device_names_fire_like_any_other()
    {
        // The database returns objects keyed "0", "1" as arrays: venue "0" with device "0", venue "1" with device "1".
        await using var harness = await StartAsync(Due.AddSeconds(1));
        var zero = await harness.AddUserAsync("n0", venue: "0", device: "0");
        var one = await harness.AddUserAsync("n1", venue: "1", device: "1");
        await harness.Index.UpsertAsync(zero, Due);
        await harness.Index.UpsertAsync(one, Due);

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(2, summary[FireOutcome.Fired]);
        Assert.Equal(("on", "on"), (await harness.DeviceAsync(zero), await harness.DeviceAsync(one)));
        Assert.Equal(["n0/0/0", "n1/1/1"], (await harness.AuditAsync()).Select(entry => entry.Id).Order());
    }

    private static MetricCollector<double> LatenessCollector(SchedulerHarness harness) =>
        new(harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SchedulerTelemetry.Name, "authapp.scheduler.schedules.lateness");
}

public sealed class ScheduleRunnerTestsOnOneRedis(RedisServerFixture redis, DatabaseEmulatorFixture emulator) : ScheduleRunnerTests(redis, emulator);

public sealed class ScheduleRunnerTestsOnARedisCluster(RedisClusterFixture redis, DatabaseEmulatorFixture emulator) : ScheduleRunnerTests(redis, emulator);
