using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;
using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;

namespace AuthApp.Scheduler.Tests;

/// <summary>Hostile data and failing entries never stop the other users' schedules.</summary>
public sealed class PoisonAndQuarantineTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Due = new(2026, 6, 15, 7, 30, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<SchedulerHarness> StartAsync(DateTimeOffset now, Action<SchedulerOptions>? configure = null) =>
        SchedulerHarness.StartAsync(redis, emulator, now, configure);

    [Fact]
    public async Task Poisoned_entries_at_the_head_of_the_index_never_stop_other_users_schedules()
    {
        // Batches of three, and the poison sorts first: with the old runner none of the good schedules ever fired.
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.BatchSize = 3);
        var good = new[] { await harness.AddUserAsync("x-good1"), await harness.AddUserAsync("x-good2"), await harness.AddUserAsync("x-good3") };
        // Written straight into the database, as a client may (the rules allow it):
        var directoryZone = await harness.AddUserAsync("a-zone", scheduleZone: "America");
        var directoryUserZone = await harness.AddUserAsync("a-userzone", userZone: "Europe");
        var garbage = new ScheduleId("a-garbage", "kitchen", "lamp");
        await harness.Database.SetAsync("users/a-garbage", JsonValue.Create("not a user"), Cancellation);
        var number = await harness.AddUserAsync("a-number");
        await harness.Database.SetAsync("users/a-number/schedules", JsonValue.Create(42), Cancellation);
        var list = await harness.AddUserAsync("a-list");
        await harness.Database.SetAsync("users/a-list/schedules/kitchen/lamp", new JsonArray(1, 2, 3), Cancellation);
        foreach (var id in good.Concat([directoryZone, directoryUserZone, garbage, number, list]))
        {
            await harness.Index.UpsertAsync(id, Due);
        }

        await harness.Redis.SortedSetAddAsync(ScheduleIndexShard.All[3].DueKey, "not a schedule id", Due.ToUnixTimeSeconds());

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(3, summary[FireOutcome.Fired]);
        Assert.Equal(6, summary[FireOutcome.Removed]);
        foreach (var id in good)
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
        }

        Assert.Equal(3, await harness.DueEntriesAsync());
    }

    [Fact]
    public async Task A_last_firing_written_in_milliseconds_by_its_owner_stops_no_one_else_and_heals()
    {
        // Issue 17 as found: a licensed user PATCHes its own schedule with lastNotified in milliseconds, and in that
        // minute the batch it shared with three other tenants failed again and again. The rules refuse the write now,
        // so it is written as the admin too, as a database holding an older value (or looser rules) would have it.
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.BatchSize = 4);
        await emulator.UseProductRulesAsync(harness.Namespace);
        var hostile = await harness.AddUserAsync("a-client-bug");
        await harness.Database.SetAsync("users/a-client-bug/verifiedAccess", JsonValue.Create(true), Cancellation);
        var token = IdTokens.Unsigned(IdTokens.Claims(DateTimeOffset.UtcNow, uid: "a-client-bug"));
        var (refused, _) = await emulator.SendAsClientAsync(harness.Namespace, HttpMethod.Patch, "users/a-client-bug/schedules/kitchen/lamp", token,
            new JsonObject { ["lastNotified"] = 1_000_000_000_000 });
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused);
        await harness.Database.SetAsync("users/a-client-bug/schedules/kitchen/lamp/lastNotified", JsonValue.Create(1_000_000_000_000), Cancellation);
        var others = new[] { await harness.AddUserAsync("b-tenant"), await harness.AddUserAsync("c-tenant"), await harness.AddUserAsync("d-tenant") };
        foreach (var id in others.Prepend(hostile))
        {
            await harness.Index.UpsertAsync(id, Due);
        }

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        // Everyone fires, the owner too: a lastNotified no firing could have written is ignored, and the write heals it.
        Assert.Equal(4, summary[FireOutcome.Fired]);
        foreach (var id in others.Prepend(hostile))
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
        }

        Assert.Equal(Due.AddSeconds(1).ToUnixTimeSeconds(), (long?)await harness.Database.GetAsync("users/a-client-bug/schedules/kitchen/lamp/lastNotified", cancellationToken: Cancellation));
        var warning = Assert.Single(harness.Logs.GetSnapshot(), log => log.Level == LogLevel.Warning);
        Assert.Contains(AuthApp.Domain.Users.UserHash.Of("a-client-bug"), warning.Message, StringComparison.Ordinal);
        Assert.Contains("schedules/kitchen/lamp/lastNotified", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-client-bug", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_who_stored_more_than_a_read_takes_still_fires_beside_the_others()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => options.BatchSize = 4);
        var hoarder = await harness.AddUserAsync("a-hoarder");
        var junk = new JsonObject();
        for (var i = 0; i < 2_000; i++)
        {
            junk[$"device{i:D4}"] = new string('x', 400);
        }

        // 800 KB of venues (written as the admin; the rules cannot count), and as much again of schedules beside the due one.
        await harness.Database.SetAsync("users/a-hoarder/venues/junk", junk, Cancellation);
        await harness.Database.SetAsync("users/a-hoarder/schedules/kitchen/zz", junk.DeepClone(), Cancellation);
        var others = new[] { await harness.AddUserAsync("b-tenant"), await harness.AddUserAsync("c-tenant"), await harness.AddUserAsync("d-tenant") };
        foreach (var id in others.Prepend(hoarder))
        {
            await harness.Index.UpsertAsync(id, Due);
        }

        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.Equal(4, summary[FireOutcome.Fired]);
        foreach (var id in others.Prepend(hoarder))
        {
            Assert.Equal("on", await harness.DeviceAsync(id));
        }
    }

    [Fact]
    public async Task An_entry_that_keeps_failing_is_quarantined_once_without_holding_back_the_others()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options => (options.QuarantineAfter, options.RetryDelay) = (3, TimeSpan.FromSeconds(5)));
        var bad = await harness.AddUserAsync("bad");
        var good = await harness.AddUserAsync("good");
        await harness.Index.UpsertAsync(bad, Due);
        await harness.Index.UpsertAsync(good, Due);
        var refusing = new DatabaseProbe(harness.Database)
        {
            BeforeRead = path => path.StartsWith("users/bad/", StringComparison.Ordinal)
                ? throw new DatabaseException(DatabaseErrorKind.InvalidData, "refused")
                : Task.CompletedTask,
        };
        var runner = harness.CreateReplica(refusing);
        using var quarantined = new MetricCollector<long>(harness.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            SchedulerTelemetry.Name, "authapp.scheduler.schedules.quarantined");

        var first = await runner.RunDueAsync(Cancellation);
        Assert.Equal((1, 1), (first[FireOutcome.Fired], first[FireOutcome.Failed]));
        Assert.Equal("on", await harness.DeviceAsync(good));
        // Not at the head any more: retried after a delay that grows.
        Assert.Equal(0, (await runner.RunDueAsync(Cancellation)).Total);
        for (var attempt = 2; attempt <= 3; attempt++)
        {
            harness.Clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(1, (await runner.RunDueAsync(Cancellation))[FireOutcome.Failed]);
        }

        harness.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await runner.RunDueAsync(Cancellation)).Total);
        Assert.Null(await harness.ScoreAsync(bad));
        var record = JsonNode.Parse((string)(await harness.Redis.HashGetAsync(ScheduleIndexShard.Of(bad.Uid).QuarantineKey, bad.ToString()))!)!;
        Assert.Equal((3, "DatabaseException/InvalidData", Due.ToUnixTimeSeconds()),
            ((int)record["failures"]!, (string?)record["reason"], (long)record["occurrence"]!));
        Assert.Equal(1, quarantined.GetMeasurementSnapshot().Sum(measurement => measurement.Value));
        Assert.Single(harness.Logs.GetSnapshot(), log => log.Level == LogLevel.Warning && log.Message.Contains("quarantined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_quarantined_schedule_fires_again_once_the_api_saves_it()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1));
        var id = await harness.AddUserAsync("u1");
        await harness.Redis.HashSetAsync(ScheduleIndexShard.Of(id.Uid).QuarantineKey, id.ToString(), """{"failures":5}""");

        await harness.Index.UpsertAsync(id, Due);
        var summary = await harness.Runner.RunDueAsync(Cancellation);

        Assert.False(await harness.Redis.HashExistsAsync(ScheduleIndexShard.Of(id.Uid).QuarantineKey, id.ToString()));
        Assert.Equal(1, summary[FireOutcome.Fired]);
    }

    [Fact]
    public async Task An_outage_delays_entries_but_never_quarantines_them()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1), options =>
            (options.QuarantineAfter, options.CatchUpWindow) = (2, TimeSpan.FromMinutes(30)));
        var id = await harness.AddUserAsync("u1");
        await harness.Index.UpsertAsync(id, Due);
        var down = harness.CreateReplica(new DatabaseProbe(harness.Database)
        {
            BeforeRead = _ => throw new DatabaseException(DatabaseErrorKind.Unavailable, "down"),
        });

        for (var cycle = 0; cycle < 5; cycle++)
        {
            var summary = await down.RunDueAsync(Cancellation);
            Assert.Equal(1, summary[FireOutcome.Failed]);
            Assert.True(summary.Interrupted);
            harness.Clock.Advance(TimeSpan.FromMinutes(2));
        }

        Assert.Equal(0, await harness.QuarantinedEntriesAsync());
        Assert.Equal(1, (await harness.Runner.RunDueAsync(Cancellation))[FireOutcome.Fired]);
    }

    [Fact]
    public async Task A_batch_write_the_database_refuses_is_narrowed_to_the_user_it_belongs_to()
    {
        await using var harness = await StartAsync(Due.AddSeconds(1));
        var ids = new[] { await harness.AddUserAsync("good1"), await harness.AddUserAsync("bad"), await harness.AddUserAsync("good2") };
        foreach (var id in ids)
        {
            await harness.Index.UpsertAsync(id, Due);
        }

        var refusing = new DatabaseProbe(harness.Database)
        {
            BeforeUpdate = paths => paths.Any(path => path.StartsWith("users/bad/", StringComparison.Ordinal))
                ? throw new DatabaseException(DatabaseErrorKind.PayloadTooLarge, "refused")
                : Task.CompletedTask,
        };

        var summary = await harness.CreateReplica(refusing).RunDueAsync(Cancellation);

        Assert.Equal((2, 1), (summary[FireOutcome.Fired], summary[FireOutcome.Failed]));
        Assert.Equal(["on", "off", "on"], await Task.WhenAll(ids.Select(harness.DeviceAsync)));
        Assert.Equal(2, (await harness.QueuedPushesAsync()).Count);
    }
}
