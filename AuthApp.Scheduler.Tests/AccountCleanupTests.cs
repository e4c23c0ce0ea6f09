using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Jobs;
using AuthApp.Scheduler.Jobs;
using AuthApp.Scheduler.Tests.Infrastructure;
using AuthApp.WorkQueue;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Scheduler.Tests;

public sealed class AccountCleanupTests(RedisServerFixture redis, DatabaseEmulatorFixture emulator, AuthEmulatorFixture auth)
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 7, 0, 0, TimeSpan.Zero);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>An account in the Auth emulator; its uid.</summary>
    private async Task<string> CreateAccountAsync()
    {
        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(
            $"http://{await auth.GetHostAsync()}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=test",
            new { email = $"cleanup-{Guid.NewGuid():N}@example.com", password = "correct-horse-7", returnSecureToken = true }, Cancellation);
        response.EnsureSuccessStatusCode();
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["localId"]!;
    }

    private async Task<bool> AccountExistsAsync(string uid)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post,
            $"http://{await auth.GetHostAsync()}/identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:lookup")
        {
            Content = JsonContent.Create(new { localId = new[] { uid } }),
        };
        request.Headers.Authorization = new("Bearer", "owner");
        using var response = await http.SendAsync(request, Cancellation);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["users"] is JsonArray { Count: > 0 };
    }

    [Fact]
    public async Task Cleanup_removes_the_account_all_of_its_data_and_index_entries_and_is_safe_to_run_again()
    {
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now, authEmulatorHost: await auth.GetHostAsync());
        var uid = await CreateAccountAsync();
        Assert.True(await AccountExistsAsync(uid));
        var lamp = await harness.AddUserAsync(uid);
        var fan = new ScheduleId(uid, "kitchen", "fan");
        await harness.Database.SetAsync($"users/{uid}/secure/gemini_key", JsonValue.Create("secret"), Cancellation);
        await harness.Database.SetAsync($"users/{uid}/monitoring_venues/kitchen/temp", JsonValue.Create("21"), Cancellation);
        await harness.Index.UpsertAsync(lamp, Now.AddMinutes(30));
        await harness.Index.UpsertAsync(fan, Now.AddMinutes(30));
        await harness.Redis.HashSetAsync(ScheduleIndexShard.Of(uid).HeldKey, lamp.ToString(), "1 2 0 0");
        await harness.Redis.HashSetAsync(ScheduleIndexShard.Of(uid).QuarantineKey, fan.ToString(), "{}");
        var other = await harness.AddUserAsync("u2");
        await harness.Index.UpsertAsync(other, Now.AddMinutes(30));
        var handler = ActivatorUtilities.CreateInstance<AccountCleanupHandler>(harness.Services);
        var context = new JobContext($"account.cleanup:{uid}", "1-0", AccountCleanupJob.JobType, 1, Now);

        await handler.HandleAsync(new AccountCleanupJob(uid), context, Cancellation);
        await handler.HandleAsync(new AccountCleanupJob(uid), context, Cancellation);

        Assert.Null(await harness.Database.GetAsync($"users/{uid}", cancellationToken: Cancellation));
        Assert.Null(await harness.ScoreAsync(lamp));
        Assert.Null(await harness.ScoreAsync(fan));
        Assert.False(await harness.Redis.KeyExistsAsync(ScheduleIndexShard.Of(uid).UserKey(uid)));
        Assert.False(await harness.Redis.HashExistsAsync(ScheduleIndexShard.Of(uid).HeldKey, lamp.ToString()));
        Assert.False(await harness.Redis.HashExistsAsync(ScheduleIndexShard.Of(uid).QuarantineKey, fan.ToString()));
        Assert.False(await AccountExistsAsync(uid));
        Assert.NotNull(await harness.ScoreAsync(other));
        Assert.NotNull(await harness.Database.GetAsync("users/u2", cancellationToken: Cancellation));
    }

    [Fact]
    public async Task Cleanup_finishes_what_a_partial_run_left()
    {
        // The account is already gone (the API or an earlier attempt deleted it), as is the index entry: the worker
        // died before deleting the data.
        await using var harness = await SchedulerHarness.StartAsync(redis, emulator, Now, authEmulatorHost: await auth.GetHostAsync());
        var lamp = await harness.AddUserAsync("u1");
        await harness.Database.SetAsync("users/u1/secure/gemini_key", JsonValue.Create("secret"), Cancellation);
        await harness.Index.RemoveUserAsync("u1");
        var handler = ActivatorUtilities.CreateInstance<AccountCleanupHandler>(harness.Services);

        await handler.HandleAsync(new AccountCleanupJob("u1"), new JobContext("account.cleanup:u1", "2-0", AccountCleanupJob.JobType, 2, Now), Cancellation);

        Assert.Null(await harness.Database.GetAsync("users/u1", cancellationToken: Cancellation));
        Assert.Null(await harness.ScoreAsync(lamp));
    }
}
