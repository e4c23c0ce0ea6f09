using System.Net;
using System.Net.Http.Json;

namespace AuthApp.Api.Tests.Events;

/// <summary>
/// A client that connects while Redis is away still gets its home's changes (told as the database shows them), and
/// once Redis is back the API's changes are told as the API's again: the subscription heals by itself.
/// </summary>
public sealed class LiveEventsRedisOutageTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private TcpProxy? _redisLink;
    private ApiFactory? _api;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stream_opened_while_redis_is_away_tells_direct_changes_and_hears_the_api_once_redis_is_back()
    {
        using var user = await _api!.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        _redisLink!.Cut();

        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.OK, events.Status);
        await events.WaitForAsync("sync", within: TimeSpan.FromSeconds(30));
        await _api!.WriteDatabaseAsync($"users/{user.Uid}/venues/hall/lamp", "3");
        await events.WaitForAsync("device", data => (string?)data!["state"] == "3" && (string?)data["source"] == "direct");

        _redisLink.Restore();
        var states = new[] { "on", "off" };
        var attempt = 0;
        await Eventually.TrueAsync(async () =>
        {
            var state = states[attempt++ % 2];
            using var set = await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value = state }, Cancellation);
            if (!set.IsSuccessStatusCode)
            {
                return false;
            }

            var told = await events.WaitForAsync("device", data => (string?)data!["state"] == state, within: TimeSpan.FromSeconds(10));
            return (string?)told.Data!["source"] == "api";
        }, "the API's changes were never told as the API's after Redis came back", within: TimeSpan.FromSeconds(90));
    }

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
