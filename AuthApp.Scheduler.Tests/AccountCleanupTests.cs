using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Scheduler.Jobs;
using AuthApp.Scheduler.Tests.Infrastructure;
using AuthApp.WorkQueue;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Scheduler.Tests;

public sealed class AccountCleanupTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cleanup_removes_all_of_the_users_data_and_index_entries_and_is_safe_to_run_again()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        var lamp = await harness.AddUserAsync("u1");
        var fan = new ScheduleId("u1", "kitchen", "fan");
        await harness.Database.SetAsync("users/u1/secure/gemini_key", JsonValue.Create("secret"), Cancellation);
        await harness.Database.SetAsync("users/u1/monitoring_venues/kitchen/temp", JsonValue.Create("21"), Cancellation);
        await harness.Index.UpsertAsync(lamp, Now.AddMinutes(30));
        await harness.Index.UpsertAsync(fan, Now.AddMinutes(30));
        await harness.Redis.HashSetAsync(DueScheduleIndex.HeldKey, lamp.ToString(), "1 2 0 0");
        await harness.Redis.HashSetAsync(DueScheduleIndex.QuarantineKey, fan.ToString(), "{}");
        var other = await harness.AddUserAsync("u2");
        await harness.Index.UpsertAsync(other, Now.AddMinutes(30));
        var handler = ActivatorUtilities.CreateInstance<AccountCleanupHandler>(harness.Services);
        var context = new JobContext("account.cleanup:u1", "1-0", AccountCleanupJob.JobType, 1, Now);

        await handler.HandleAsync(new AccountCleanupJob("u1"), context, Cancellation);
        await handler.HandleAsync(new AccountCleanupJob("u1"), context, Cancellation);

        Assert.Null(await harness.Database.GetAsync("users/u1", cancellationToken: Cancellation));
        Assert.Null(await harness.ScoreAsync(lamp));
        Assert.Null(await harness.ScoreAsync(fan));
        Assert.False(await harness.Redis.KeyExistsAsync(DueScheduleIndex.UserKey("u1")));
        Assert.False(await harness.Redis.HashExistsAsync(DueScheduleIndex.HeldKey, lamp.ToString()));
        Assert.False(await harness.Redis.HashExistsAsync(DueScheduleIndex.QuarantineKey, fan.ToString()));
        Assert.NotNull(await harness.ScoreAsync(other));
        Assert.NotNull(await harness.Database.GetAsync("users/u2", cancellationToken: Cancellation));
    }

    [Fact]
    public async Task Cleanup_finishes_what_a_partial_run_left()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now);
        var lamp = await harness.AddUserAsync("u1");
        await harness.Database.SetAsync("users/u1/secure/gemini_key", JsonValue.Create("secret"), Cancellation);
        // The index was cleaned, then the worker died before deleting the data.
        await harness.Index.RemoveUserAsync("u1");
        var handler = ActivatorUtilities.CreateInstance<AccountCleanupHandler>(harness.Services);

        await handler.HandleAsync(new AccountCleanupJob("u1"), new JobContext("account.cleanup:u1", "2-0", AccountCleanupJob.JobType, 2, Now), Cancellation);

        Assert.Null(await harness.Database.GetAsync("users/u1", cancellationToken: Cancellation));
        Assert.Null(await harness.ScoreAsync(lamp));
    }
}
