using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Scheduler;
using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace AuthApp.Scheduler.Tests;

public sealed class ScheduleRunnerTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
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
        Assert.Equal("on", (string?)await harness.Database.GetAsync("users/u1/venues/kitchen/lamp", cancellationToken: Cancellation));
        Assert.Equal(Due.AddSeconds(3).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync("users/u1/schedules/kitchen/lamp/lastNotified", cancellationToken: Cancellation));
        var push = Assert.Single(harness.Queue.OfType<SendPushJob>());
        Assert.Equal(("u1", "Schedule Completed", "lamp in kitchen turned on"), (push.Uid, push.Title, push.Body));
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.Equal(3, Assert.Single(lateness.GetMeasurementSnapshot()).Value);
        Assert.Equal(OccurrenceClaims.FiredValue, (string?)await harness.Redis.StringGetAsync(OccurrenceClaims.Key(id, Due)));
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
    public async Task An_occurrence_beyond_the_window_is_skipped_and_the_schedule_moves_on()
    {
        await using var harness = await StartAsync(Due.AddMinutes(11), options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        using var skipped = new MetricCollector<long>(harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            SchedulerTelemetry.Name, "authapp.scheduler.schedules.skipped");

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Skipped]);
        Assert.Equal("off", (string?)await harness.Database.GetAsync("users/u1/venues/kitchen/lamp", cancellationToken: Cancellation));
        Assert.Empty(harness.Queue.Jobs);
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        Assert.Equal(1, Assert.Single(skipped.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task Two_replicas_fire_each_occurrence_exactly_once()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.BatchSize = 7);
        var ids = new List<ScheduleId>();
        for (var i = 0; i < 40; i++)
        {
            var id = await harness.AddUserAsync($"u{i:D2}");
            await harness.Index.UpsertAsync(id, Due);
            ids.Add(id);
        }

        var replicas = new[] { harness.Runner, harness.CreateReplica(), harness.CreateReplica() };
        var summaries = await Task.WhenAll(replicas.Select(replica => replica.RunDueAsync(Cancellation)));
        // Whatever was held by another replica at the time is picked up by a later cycle.
        var again = await Task.WhenAll(replicas.Select(replica => replica.RunDueAsync(Cancellation)));

        Assert.Equal(40, summaries.Concat(again).Sum(summary => summary[FireOutcome.Fired]));
        var pushes = harness.Queue.OfType<SendPushJob>();
        Assert.Equal(40, pushes.Count);
        Assert.Equal(40, pushes.Select(push => push.IdempotencyKey).Distinct().Count());
        Assert.Equal(40, await harness.Redis.StreamLengthAsync(OccurrenceClaims.AuditStream));
        foreach (var id in ids)
        {
            Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
        }
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
        Assert.Equal(0, await harness.Index.CountAsync());
        Assert.Empty(harness.Queue.Jobs);
    }

    [Fact]
    public async Task A_replica_that_died_after_writing_is_recovered_without_writing_twice()
    {
        // lastNotified says the device was already set for this occurrence; the claim lease has lapsed.
        await using var harness = await StartAsync(Due.AddSeconds(30));
        var id = await harness.AddUserAsync("u1", lastNotified: Due.AddSeconds(2).ToUnixTimeSeconds());
        await harness.Index.UpsertAsync(id, Due);

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Recovered]);
        Assert.Equal("off", (string?)await harness.Database.GetAsync("users/u1/venues/kitchen/lamp", cancellationToken: Cancellation));
        var push = Assert.Single(harness.Queue.OfType<SendPushJob>());
        Assert.Equal($"schedule:{id}:{Due.ToUnixTimeSeconds()}", push.IdempotencyKey);
        Assert.Equal(Due.AddDays(1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task A_claim_held_by_a_live_replica_is_left_alone()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        await harness.Redis.StringSetAsync(OccurrenceClaims.Key(id, Due), "other-replica", TimeSpan.FromMinutes(1));

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.ClaimedElsewhere]);
        Assert.Empty(harness.Queue.Jobs);
        Assert.Equal(Due.ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task A_stopping_runner_claims_nothing_more()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);

        var summary = await harness.Runner.RunDueAsync(new CancellationToken(canceled: true));

        Assert.Equal(0, summary.Total);
        Assert.False(await harness.Redis.KeyExistsAsync(OccurrenceClaims.Key(id, Due)));
        Assert.Equal(Due.ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task A_schedule_rewritten_behind_the_index_is_retimed_instead_of_fired()
    {
        await using var harness = await StartAsync(Due);
        var id = await harness.AddUserAsync("u1", "08:15");
        await harness.Index.UpsertAsync(id, Due); // still at the old 07:30

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(1, summary[FireOutcome.Retimed]);
        Assert.Empty(harness.Queue.Jobs);
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 15, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    private static MetricCollector<double> LatenessCollector(SchedulerHarness harness) =>
        new(harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), SchedulerTelemetry.Name, "authapp.scheduler.schedules.lateness");
}
