using System.Net;
using System.Net.Http.Json;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.WorkQueue;
using Microsoft.Extensions.DependencyInjection;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Accounts;

/// <summary>
/// Account deletion finishes or changes nothing: its clean-up is queued durably before anything is deleted, and
/// the worker (here in-process, on a Redis of this class's own) finishes what the request could not. Each test
/// reads the end state back from Auth, the database and the index.
/// </summary>
public sealed class AccountDeletionTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private TcpProxy? _redisLink;
    private ApiFactory? _api;
    private WorkerFactory? _worker;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ApiFactory Api => _api!;

    private TcpProxy RedisLink => _redisLink!;

    [Fact]
    public async Task Deleting_an_account_removes_the_account_its_data_and_its_schedules()
    {
        using var user = await SignUpWithDataAsync();
        _worker!.Start();

        using var deleted = await user.Client.DeleteAsync("/auth/account", Cancellation);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        await AssertGoneAsync(user.Uid);
    }

    [Fact]
    public async Task Deleting_an_account_while_redis_is_unavailable_is_503_and_changes_nothing_until_the_retry()
    {
        using var user = await SignUpWithDataAsync();
        RedisLink.Cut();

        using var refused = await user.Client.DeleteAsync("/auth/account", Cancellation);

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.True(await dependencies.ExistsAsync(user.Uid));
        // The license and revocation written before the job was refused are put back: the account is as it was.
        Assert.Equal(true, (bool?)await Api.ReadDatabaseAsync($"users/{user.Uid}/verifiedAccess"));
        Assert.Null(await Api.ReadDatabaseAsync($"users/{user.Uid}/revokedBefore"));
        Assert.NotNull(await Api.ReadDatabaseAsync($"users/{user.Uid}/secure/gemini_key"));
        Assert.True(await _redis.Connection.GetDatabase().KeyExistsAsync(ScheduleIndexShard.Of(user.Uid).UserKey(user.Uid)));

        RedisLink.Restore();
        _worker!.Start();
        await Eventually.TrueAsync(async () =>
        {
            using var retry = await user.Client.DeleteAsync("/auth/account", Cancellation);
            return retry.StatusCode == HttpStatusCode.OK;
        }, "the retried deletion never succeeded once Redis was back",
            // The Redis client reconnects with growing pauses the longer the link was cut; on a machine running every
            // test assembly at once that took longer than the default deadline.
            within: TimeSpan.FromSeconds(90));
        await AssertGoneAsync(user.Uid);
    }

    [Fact]
    public async Task Deleting_an_account_when_auth_fails_is_finished_by_the_queued_job()
    {
        using var user = await SignUpWithDataAsync();
        Api.Faults.RefuseWhen(HttpFaults.Auth("accounts:delete"));

        using var deleted = await user.Client.DeleteAsync("/auth/account", Cancellation);

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.True(await dependencies.ExistsAsync(user.Uid), "the request itself could not delete the account");
        _worker!.Start();
        await AssertGoneAsync(user.Uid);
    }

    [Fact]
    public async Task A_clean_up_finishes_after_a_partial_run()
    {
        using var user = await SignUpWithDataAsync();
        // An earlier attempt deleted the account and stopped there.
        await dependencies.Auth.CallAsync(HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AuthEmulatorFixture.ProjectId}/accounts:delete",
            new System.Text.Json.Nodes.JsonObject { ["localId"] = user.Uid });
        _worker!.Start();

        await Api.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new AccountCleanupJob(user.Uid), Cancellation);

        await AssertGoneAsync(user.Uid);
    }

    /// <summary>A user with a device, a schedule and a Gemini key: data in the database, the index and <c>secure/</c>.</summary>
    private async Task<ApiUser> SignUpWithDataAsync()
    {
        var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        (await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue = "kitchen", device = "lamp", time = "07:30", action = "on" }, Cancellation))
            .EnsureSuccessStatusCode();
        (await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = "AIza-test-voice-key" }, Cancellation)).EnsureSuccessStatusCode();
        return user;
    }

    private async Task AssertGoneAsync(string uid)
    {
        var left = "";
        await Eventually.TrueAsync(async () =>
            {
                left = string.Join(", ", new[]
                {
                    await dependencies.ExistsAsync(uid) ? "the account" : null,
                    await Api.ReadDatabaseAsync($"users/{uid}") is not null ? "its data" : null,
                    await _redis.Connection.GetDatabase().KeyExistsAsync(ScheduleIndexShard.Of(uid).UserKey(uid)) ? "its index entries" : null,
                }.OfType<string>());
                return left.Length == 0;
            },
            () => $"{left} outlived the deletion",
            within: TimeSpan.FromSeconds(60)); // the worker starts, polls its queue and backs off on failures
    }

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        _redisLink = new TcpProxy(new IPEndPoint(IPAddress.Loopback, _redis.Port));
        _api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{_redisLink.Port}",
        });
        _worker = new WorkerFactory(_api, $"127.0.0.1:{_redis.Port}");
    }

    public async ValueTask DisposeAsync()
    {
        await _worker!.DisposeAsync();
        await _api!.DisposeAsync();
        await _redisLink!.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
