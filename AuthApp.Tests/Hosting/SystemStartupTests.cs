using System.Net;
using System.Net.Http.Json;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Hosting;

public sealed class SystemStartupTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_resource_reports_healthy()
    {
        foreach (var name in AuthAppHost.Resources)
        {
            var instances = await host.App.InstancesAsync(name, Cancellation);
            Assert.NotEmpty(instances);
            Assert.All(instances, instance =>
            {
                Assert.Equal(KnownResourceStates.Running, instance.Snapshot.State?.Text);
                Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, instance.Snapshot.HealthStatus);
            });
        }

        Assert.Equal(2, (await host.App.InstancesAsync("api", Cancellation)).Count);
    }

    [Fact]
    public async Task Api_health_answers_the_original_status_body()
    {
        using var client = host.CreateHttpClient("api");

        using var response = await client.GetAsync("/health", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(Cancellation);
        Assert.Equal(new Dictionary<string, string> { ["status"] = "ok" }, body);
    }

    [Fact]
    public async Task Api_and_scheduler_hold_connections_to_the_cache()
    {
        await using var redis = await host.ConnectToCacheAsync();

        var clients = await redis.GetServers()[0].ClientListAsync();

        var names = clients.Select(client => client.Name).ToHashSet();
        Assert.Contains("AuthApp.Api", names);
        Assert.Contains("AuthApp.Scheduler", names);
    }

    [Fact]
    public async Task Every_scheduler_replica_writes_a_fresh_heartbeat_to_the_cache()
    {
        await using var redis = await host.ConnectToCacheAsync();
        var server = redis.GetServers()[0];
        var database = redis.GetDatabase();

        // The AppHost runs two scheduler replicas; each one beats under its own key.
        var keys = server.Keys(pattern: "scheduler:heartbeat:*").ToList();
        Assert.Equal(2, keys.Count);
        var first = new Dictionary<RedisKey, long>();
        foreach (var key in keys)
        {
            first[key] = (long)await database.StringGetAsync(key);
            var beatedAt = DateTimeOffset.FromUnixTimeMilliseconds(first[key]);
            Assert.InRange(DateTimeOffset.UtcNow - beatedAt, TimeSpan.Zero - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        }

        // The default beat is every 5 s: every value must move on, proving each loop runs.
        await Eventually.TrueAsync(async () =>
        {
            foreach (var key in keys)
            {
                if ((long)await database.StringGetAsync(key) <= first[key])
                {
                    return false;
                }
            }

            return true;
        }, "a scheduler replica's heartbeat did not advance", TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Scheduler_reports_ready()
    {
        using var client = host.CreateHttpClient("scheduler");

        using var response = await client.GetAsync("/health", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
