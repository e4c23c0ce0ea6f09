using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Schedules;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Schedules;

/// <summary>
/// A change that must reach both the database and the schedule index (time zone, set_schedule, a schedule's status)
/// is undone when the index cannot be updated: the client gets a 503 saying nothing changed, the database still
/// holds what the index says, and the retry once Redis is back reaches the same end as a first success.
/// </summary>
public sealed class IndexUnavailableTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private TcpProxy? _redisLink;
    private ApiFactory? _api;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private ApiFactory Api => _api!;

    [Fact]
    public async Task A_time_zone_change_that_cannot_reach_the_index_is_undone_and_the_retry_applies_it()
    {
        using var user = await ScheduledUserAsync();
        await PostAsync(user, "/auth/time_zone", new { timeZone = "Europe/Paris" });
        var parisOccurrence = await OccurrenceAsync(user);

        var refused = await WhileRedisIsDownAsync(() => user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = "Asia/Kolkata" }, Cancellation));

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Equal("Europe/Paris", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/timeZone"));
        Assert.Equal(parisOccurrence, await OccurrenceAsync(user));

        await PostAsync(user, "/auth/time_zone", new { timeZone = "Asia/Kolkata" });
        Assert.Equal("Asia/Kolkata", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/timeZone"));
        Assert.NotEqual(parisOccurrence, await OccurrenceAsync(user));
    }

    [Fact]
    public async Task Disabling_a_schedule_when_the_index_is_unavailable_is_undone_and_the_retry_disables_it()
    {
        using var user = await ScheduledUserAsync();

        var refused = await WhileRedisIsDownAsync(() =>
            user.Client.PostAsJsonAsync("/auth/update_schedule_status", new { venue = "kitchen", device = "lamp", status = "disable" }, Cancellation));

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.Equal("enable", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/status"));
        Assert.NotNull(await OccurrenceAsync(user));

        await PostAsync(user, "/auth/update_schedule_status", new { venue = "kitchen", device = "lamp", status = "disable" });
        Assert.Equal("disable", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/status"));
        Assert.Null(await OccurrenceAsync(user));
    }

    [Fact]
    public async Task Rescheduling_when_the_index_is_unavailable_keeps_the_old_schedule_and_the_retry_moves_it()
    {
        using var user = await ScheduledUserAsync();
        var before = await OccurrenceAsync(user);

        var refused = await WhileRedisIsDownAsync(() =>
            user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue = "kitchen", device = "lamp", time = "21:15", action = "off" }, Cancellation));

        await AssertProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        var stored = await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp");
        Assert.Equal("07:30", (string?)stored?["time"]);
        Assert.Equal("on", (string?)stored?["action"]);
        Assert.Equal(before, await OccurrenceAsync(user));

        await PostAsync(user, "/auth/set_schedule", new { venue = "kitchen", device = "lamp", time = "21:15", action = "off" });
        Assert.Equal("21:15", (string?)await Api.ReadDatabaseAsync($"users/{user.Uid}/schedules/kitchen/lamp/time"));
        Assert.NotEqual(before, await OccurrenceAsync(user));
    }

    private async Task<ApiUser> ScheduledUserAsync()
    {
        var user = await Api.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        await PostAsync(user, "/auth/set_schedule", new { venue = "kitchen", device = "lamp", time = "07:30", action = "on" });
        return user;
    }

    /// <summary>
    /// Sends the request with the Redis link cut. The user's access record is in the replica's memory from the
    /// requests before, so the request gets past authorization to the index, which is what is under test.
    /// </summary>
    private async Task<HttpResponseMessage> WhileRedisIsDownAsync(Func<Task<HttpResponseMessage>> send)
    {
        RedisLink.Cut();
        try
        {
            return await send();
        }
        finally
        {
            RedisLink.Restore();
        }
    }

    private static async Task PostAsync(ApiUser user, string path, object body)
    {
        // Redis was just given back: the client reconnects within its own timeouts.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await user.Client.PostAsJsonAsync(path, body, Cancellation);
            return response.IsSuccessStatusCode;
        }, $"{path} never succeeded with Redis up");
    }

    /// <summary>The schedule's next occurrence in the index (Unix seconds), or null when it is not indexed.</summary>
    private async Task<double?> OccurrenceAsync(ApiUser user) =>
        await _redis.Connection.GetDatabase().SortedSetScoreAsync(ScheduleIndexShard.Of(user.Uid).DueKey, new ScheduleId(user.Uid, "kitchen", "lamp").ToString());

    private TcpProxy RedisLink => _redisLink!;

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        _redisLink = new TcpProxy(new IPEndPoint(IPAddress.Loopback, _redis.Port));
        _api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{_redisLink.Port}",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _api!.DisposeAsync();
        await _redisLink!.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
