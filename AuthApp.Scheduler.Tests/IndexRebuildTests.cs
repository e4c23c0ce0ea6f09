using System.Text.Json.Nodes;
using AuthApp.Scheduler.Schedules;
using AuthApp.Scheduler.Tests.Infrastructure;

namespace AuthApp.Scheduler.Tests;

/// <summary>The rebuild from the database, on one Redis and on a Redis Cluster (a shard per slot, spread over the masters).</summary>
public abstract class IndexRebuildTests(IRedisTarget redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 35, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private Task<SchedulerHarness> StartAsync(Action<SchedulerOptions>? configure = null) =>
        SchedulerHarness.StartAsync(redis, emulator, Now, configure);

    [Fact]
    public async Task Rebuild_indexes_enabled_schedules_keeping_occurrences_missed_within_the_window()
    {
        await using var harness = await StartAsync(options => options.CatchUpWindow = TimeSpan.FromMinutes(10));
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
        Assert.Equal((6, 4, 4, 1, true), (summary.Users, summary.Schedules, summary.Added, summary.Removed, summary.Completed));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 7, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(missed));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(old));
        Assert.Equal(new DateTimeOffset(2026, 6, 16, 7, 30, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(fired));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(zoned));
        Assert.Null(await harness.ScoreAsync(stale));
        Assert.Equal(4, await harness.DueEntriesAsync());
    }

    [Fact]
    public async Task Rebuild_indexes_at_most_the_per_user_limit_of_schedules_however_many_a_client_wrote()
    {
        await using var harness = await StartAsync();
        var venues = new JsonObject();
        for (var v = 0; v < 12; v++)
        {
            var devices = new JsonObject();
            for (var d = 0; d < 50; d++)
            {
                devices[$"d{d:D2}"] = new JsonObject { ["time"] = "08:00", ["action"] = "on", ["status"] = "enable" };
            }

            venues[$"v{v:D2}"] = devices;
        }

        await harness.Database.SetAsync("users/greedy", new JsonObject { ["schedules"] = venues }, Cancellation);
        await harness.AddUserAsync("modest", "08:00");

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        // 600 written straight into the database; the first 500 in key order are indexed, and the other user's one.
        Assert.Equal(501, summary!.Schedules);
        Assert.Equal(AuthApp.Domain.Users.UserDataLimits.MaxSchedules, await harness.Redis.SetLengthAsync(ScheduleIndexShard.Of("greedy").UserKey("greedy")));
        Assert.NotNull(await harness.ScoreAsync(new ScheduleId("greedy", "v09", "d49")));
        Assert.Null(await harness.ScoreAsync(new ScheduleId("greedy", "v10", "d00")));
    }

    [Fact]
    public async Task A_user_who_stored_more_than_a_rebuild_buffers_is_read_field_by_field_and_still_indexed()
    {
        await using var harness = await StartAsync();
        var readings = new JsonObject();
        for (var i = 0; i < 400; i++)
        {
            readings[$"s{i:D3}"] = new string('7', 4000);
        }

        // 1.6 MB of sensor readings beside one schedule: more than the rebuild takes of a user in one piece.
        var heavy = await harness.AddUserAsync("heavy", "08:00");
        await harness.Database.SetAsync("users/heavy/monitoring_venues/cellar", readings, Cancellation);
        var light = await harness.AddUserAsync("light", "08:00");

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal((2, 2, true), (summary!.Users, summary.Added, summary.Completed));
        Assert.NotNull(await harness.ScoreAsync(heavy));
        Assert.NotNull(await harness.ScoreAsync(light));
    }

    [Fact]
    public async Task Rebuild_keeps_pending_occurrences_and_runs_on_one_replica_at_a_time()
    {
        await using var harness = await StartAsync();
        var id = await harness.AddUserAsync("u1", "07:30 AM");
        await harness.Index.UpsertAsync(id, Now.AddMinutes(-1)); // pending, not yet fired

        await harness.Redis.StringSetAsync(ScheduleIndexRebuilder.LockKey, "other");
        Assert.Null(await harness.Rebuilder.RebuildAsync(Cancellation));
        await harness.Redis.KeyDeleteAsync(ScheduleIndexRebuilder.LockKey);

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal(0, summary!.Added);
        Assert.Equal(Now.AddMinutes(-1).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task Rebuild_reads_users_a_page_per_request_and_no_bad_record_aborts_it()
    {
        await using var harness = await StartAsync(options => options.RebuildPageSize = 10);
        var users = new Dictionary<string, JsonNode?>();
        for (var u = 0; u < 22; u++)
        {
            users[$"u{u:D2}"] = JsonNode.Parse("""{"schedules":{"hall":{"lamp":{"time":"08:00","action":"on","status":"enable"}}}}""");
        }

        // What clients may write straight into their own records:
        users["bad-record"] = "not a user";
        users["bad-schedules"] = JsonNode.Parse("""{"schedules":42}""");
        users["bad-zone"] = JsonNode.Parse("""{"schedules":{"hall":{"lamp":{"time":"08:00","action":"on","status":"enable","timeZone":"America"}}}}""");
        users["bad-user-zone"] = JsonNode.Parse("""{"timeZone":"posix","schedules":{"hall":{"lamp":{"time":"08:00","action":"on","status":"enable"}}}}""");
        users["bad-shape"] = JsonNode.Parse("""{"schedules":{"hall":[1,2,{"time":3}]}}""");
        await harness.Database.UpdateAsync("users", users, Cancellation);
        var probe = new DatabaseProbe(harness.Database);

        var summary = await harness.CreateRebuilder(probe).RebuildAsync(Cancellation);

        Assert.NotNull(summary);
        // Every one of the five holds something the rebuild cannot use, and says so; none of them stops it.
        Assert.Equal((27, 22, 22, 5, true), (summary.Users, summary.Schedules, summary.Added, summary.BadUsers, summary.Completed));
        Assert.Equal(22, await harness.DueEntriesAsync());
        // 27 users, 10 a page: three queries of "users" and nothing else.
        Assert.Equal(["users", "users", "users"], probe.Reads);
    }

    [Fact]
    public async Task Rebuild_removes_entries_whose_schedule_or_user_is_gone_and_keeps_those_written_meanwhile()
    {
        await using var harness = await StartAsync(options => options.RebuildPageSize = 10);
        for (var u = 0; u < 15; u++)
        {
            await harness.AddUserAsync($"u{u:D2}", "08:00");
        }

        var deletedSchedule = new ScheduleId("u03", "kitchen", "fan");
        var deletedUser = new ScheduleId("ghost", "kitchen", "lamp");
        await harness.Index.UpsertAsync(deletedSchedule, Now.AddHours(1));
        await harness.Index.UpsertAsync(deletedUser, Now.AddHours(1));
        // A user who signs up while the rebuild is past their place in the key order.
        var late = new ScheduleId("a-late", "kitchen", "lamp");
        var probe = new DatabaseProbe(harness.Database);
        var pages = 0;
        probe.BeforeRead = async path =>
        {
            if (path == "users" && ++pages == 2)
            {
                await harness.AddUserAsync("a-late", "08:00");
                await harness.Index.UpsertAsync(late, Now.AddMinutes(25));
            }
        };

        var summary = await harness.CreateRebuilder(probe).RebuildAsync(Cancellation);

        Assert.Equal(2, summary!.Removed);
        Assert.Null(await harness.ScoreAsync(deletedSchedule));
        Assert.Null(await harness.ScoreAsync(deletedUser));
        Assert.DoesNotContain(deletedSchedule.ToString(), (await harness.Redis.SetMembersAsync(ScheduleIndexShard.Of("u03").UserKey("u03"))).Select(member => (string)member!));
        Assert.Equal(Now.AddMinutes(25).ToUnixTimeSeconds(), await harness.ScoreAsync(late));
        Assert.Equal(16, await harness.DueEntriesAsync());
    }

    [Fact]
    public async Task Rebuild_does_not_write_back_the_entries_of_an_account_deleted_after_its_page_was_read()
    {
        await using var harness = await StartAsync();
        var kept = await harness.AddUserAsync("u1", "08:00");
        var deleted = await harness.AddUserAsync("u2", "08:00");
        var probe = new DatabaseProbe(harness.Database);
        var pages = 0;
        probe.AfterRead = async path =>
        {
            if (path == "users" && ++pages == 1)
            {
                // The account clean-up runs between the page's read and its indexing.
                await harness.Index.RemoveUserAsync("u2");
                await harness.Database.DeleteAsync("users/u2", Cancellation);
            }
        };

        await harness.CreateRebuilder(probe).RebuildAsync(Cancellation);

        Assert.Equal(1, pages);
        Assert.NotNull(await harness.ScoreAsync(kept));
        Assert.Null(await harness.ScoreAsync(deleted));
        Assert.False(await harness.Redis.KeyExistsAsync(ScheduleIndexShard.Of("u2").UserKey("u2")));
        Assert.False(await harness.Redis.SetContainsAsync(ScheduleIndexShard.Of("u2").UsersKey, "u2"));
    }

    [Fact]
    public async Task Rebuild_readmits_a_quarantined_schedule_that_became_readable()
    {
        await using var harness = await StartAsync();
        var id = await harness.AddUserAsync("u1", "08:00");
        await harness.Redis.HashSetAsync(ScheduleIndexShard.Of(id.Uid).QuarantineKey, id.ToString(), """{"failures":5}""");

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal(1, summary!.Readmitted);
        Assert.False(await harness.Redis.HashExistsAsync(ScheduleIndexShard.Of(id.Uid).QuarantineKey, id.ToString()));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(id));
    }

    [Fact]
    public async Task Rebuild_marks_the_index_built_unless_redis_lost_its_data_meanwhile()
    {
        await using var harness = await StartAsync(options => (options.RebuildPageSize, options.RebuildInterval) = (10, TimeSpan.FromHours(6)));
        for (var u = 0; u < 15; u++)
        {
            await harness.AddUserAsync($"u{u:D2}", "08:00");
        }

        var complete = await harness.Rebuilder.RebuildAsync(Cancellation);
        Assert.True(complete!.Completed);
        foreach (var shard in ScheduleIndexShard.All)
        {
            Assert.InRange((await harness.Redis.KeyTimeToLiveAsync(shard.BuiltKey))!.Value, TimeSpan.FromHours(5.9), TimeSpan.FromHours(6));
        }

        var interrupted = await RebuildLosingAsync(harness, harness.FlushRedisAsync); // the lock goes with everything else

        Assert.False(interrupted!.Completed);
        Assert.False(await harness.IndexBuiltAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(9)]
    public async Task A_shard_that_loses_its_data_during_a_rebuild_is_not_marked_built(int lost)
    {
        // What a cluster master restarted empty (or a failover that lost unreplicated writes) does to one shard while
        // the others, on other masters, keep theirs and the rebuild lock.
        await using var harness = await StartAsync(options => options.RebuildPageSize = 10);
        for (var u = 0; u < 15; u++)
        {
            await harness.AddUserAsync($"u{u:D2}", "08:00");
        }

        var shard = ScheduleIndexShard.All[lost];
        var interrupted = await RebuildLosingAsync(harness, async () =>
        {
            foreach (var key in new[] { shard.DueKey, shard.HeldKey, shard.QuarantineKey, shard.UsersKey, shard.BuiltKey, shard.RebuildKey, shard.SeenKey })
            {
                await harness.Redis.KeyDeleteAsync(key);
            }
        });

        Assert.False(interrupted!.Completed);
        Assert.False(await harness.Redis.KeyExistsAsync(shard.BuiltKey));
        Assert.False(await harness.IndexBuiltAsync());

        var again = await harness.Rebuilder.RebuildAsync(Cancellation);
        Assert.True(again!.Completed);
        Assert.True(await harness.IndexBuiltAsync());
        Assert.Equal(15, await harness.DueEntriesAsync());
    }

    [Fact]
    public async Task An_account_deletion_whose_clean_up_job_was_lost_is_queued_again_once_by_the_rebuild()
    {
        await using var harness = await StartAsync();
        await harness.AddUserAsync("kept", "08:00");
        // The API accepted the deletion (the flag and the revocation are written), and the job went with a Redis failover.
        await harness.AddUserAsync("leaving", "08:00");
        await harness.Database.UpdateAsync("users/leaving", new Dictionary<string, JsonNode?> { ["verifiedAccess"] = false, ["revokedBefore"] = 1 }, Cancellation);
        // A client's odd value in the same field is not a deletion.
        await harness.AddUserAsync("odd", "08:00");
        await harness.Database.SetAsync("users/odd/verifiedAccess", JsonValue.Create("false"), Cancellation);

        var first = await harness.Rebuilder.RebuildAsync(Cancellation);
        var again = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal(1, first!.DeletionsResumed);
        Assert.Equal(1, again!.DeletionsResumed);
        Assert.Equal("leaving", Assert.Single(await harness.QueuedJobsAsync<AuthApp.Domain.Jobs.AccountCleanupJob>()).Uid);
    }

    /// <summary>A rebuild during which <paramref name="loss"/> happens, as the second page of users is read.</summary>
    private static async Task<RebuildSummary?> RebuildLosingAsync(SchedulerHarness harness, Func<Task> loss)
    {
        await Task.WhenAll(ScheduleIndexShard.All.Select(shard => harness.Redis.KeyDeleteAsync(shard.BuiltKey)));
        var probe = new DatabaseProbe(harness.Database);
        var pages = 0;
        probe.BeforeRead = async path =>
        {
            if (path == "users" && ++pages == 2)
            {
                await loss();
            }
        };
        return await harness.CreateRebuilder(probe).RebuildAsync(Cancellation);
    }

    [Fact]
    public async Task Rebuild_indexes_numeric_venue_and_device_names()
    {
        await using var harness = await StartAsync();
        await harness.Database.SetAsync("users/n1", JsonNode.Parse("""
            {"schedules":{"0":{"0":{"time":"08:00","action":"on","status":"enable"},"1":{"time":"09:00","action":"off","status":"enable"}}}}
            """), Cancellation);

        var summary = await harness.Rebuilder.RebuildAsync(Cancellation);

        Assert.Equal(2, summary!.Added);
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 8, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(new ScheduleId("n1", "0", "0")));
        Assert.Equal(new DateTimeOffset(2026, 6, 15, 9, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), await harness.ScoreAsync(new ScheduleId("n1", "0", "1")));
    }
}

public sealed class IndexRebuildTestsOnOneRedis(RedisServerFixture redis, DatabaseEmulatorFixture emulator) : IndexRebuildTests(redis, emulator);

public sealed class IndexRebuildTestsOnARedisCluster(RedisClusterFixture redis, DatabaseEmulatorFixture emulator) : IndexRebuildTests(redis, emulator);
