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
        await using var redis = await ConnectToCacheAsync();

        var clients = await redis.GetServers()[0].ClientListAsync();

        var names = clients.Select(client => client.Name).ToHashSet();
        Assert.Contains("AuthApp.Api", names);
        Assert.Contains("AuthApp.Scheduler", names);
    }

    [Fact]
    public async Task Scheduler_writes_a_fresh_heartbeat_to_the_cache()
    {
        await using var redis = await ConnectToCacheAsync();
        var server = redis.GetServers()[0];
        var database = redis.GetDatabase();

        var key = Assert.Single(server.Keys(pattern: "scheduler:heartbeat:*"));
        var first = (long)await database.StringGetAsync(key);
        var beatedAt = DateTimeOffset.FromUnixTimeMilliseconds(first);
        Assert.InRange(DateTimeOffset.UtcNow - beatedAt, TimeSpan.Zero - TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));

        // The default beat is every 5 s: the value must move on, proving the loop runs.
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long current;
        do
        {
            await Task.Delay(500, Cancellation);
            current = (long)await database.StringGetAsync(key);
        }
        while (current == first && DateTime.UtcNow < deadline);
        Assert.True(current > first, "the scheduler heartbeat did not advance");
    }

    [Fact]
    public async Task Scheduler_reports_ready()
    {
        using var client = host.CreateHttpClient("scheduler");

        using var response = await client.GetAsync("/health", Cancellation);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<ConnectionMultiplexer> ConnectToCacheAsync()
    {
        var connectionString = await host.App.GetConnectionStringAsync("cache", Cancellation);
        Assert.False(string.IsNullOrEmpty(connectionString));
        return await ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }
}
