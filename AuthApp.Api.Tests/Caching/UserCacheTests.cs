using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AuthApp.Firebase.Database;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Tests.Caching;

/// <summary>
/// The two-level per-user cache: a hit costs no network round trip; every write, whoever makes it, evicts the user's
/// entries on every replica within a second; the key is the user, never the Host or the URL.
/// </summary>
public abstract class UserCacheTests(ApiDependencies dependencies) : TwoReplicaTests(dependencies)
{
    private static readonly TimeSpan EvictionBound = TimeSpan.FromSeconds(1);

    private static async Task<JsonObject> ProfileAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/auth/profile", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
    }

    private static async Task AssertSeenWithinAsync(HttpClient client, Func<JsonObject, bool> seen, string what)
    {
        var started = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(async () => seen(await ProfileAsync(client)), $"{what} was not seen", TimeSpan.FromSeconds(3));
        Assert.True(DateTimeOffset.UtcNow - started <= EvictionBound + TimeSpan.FromMilliseconds(300), $"{what} was seen only after {DateTimeOffset.UtcNow - started}");
    }

    [Fact]
    public async Task A_cached_profile_is_answered_without_touching_redis_or_firebase()
    {
        Assert.SkipWhen(Dependencies.Cache is RedisClusterFixture, "Counts the reads of a redis-server of its own: the same test on either.");
        var redis = new RedisServerFixture();
        await redis.InitializeAsync();
        await using var _ = redis;
        await using var database = await UpstreamProxy.StartAsync(Dependencies.Database.Host);
        await using var auth = await UpstreamProxy.StartAsync(Dependencies.AuthHost);
        await using var api = new ApiFactory(Dependencies, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = $"127.0.0.1:{redis.Port}",
            ["Firebase:DatabaseEmulatorHost"] = database.Host,
            ["Firebase:AuthEmulatorHost"] = auth.Host,
            ["Caching:AccessRecordFreshness"] = "00:01:00",
        });
        using var user = await api.SignUpAsync();
        await using var admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        for (var i = 0; i < 20; i++)
        {
            await ProfileAsync(user.Client); // past the first fills and their background writes
        }

        var readsBefore = await ReadCommandsAsync(server);
        var allBefore = string.Join(" ", (await server.InfoAsync("commandstats")).SelectMany(g => g).Select(p => p.Key + "=" + p.Value.Split(',')[0]));
        var (databaseBefore, authBefore) = (database.Requests, auth.Requests);

        for (var i = 0; i < 200; i++)
        {
            await ProfileAsync(user.Client);
        }

        var allAfter = string.Join(" ", (await server.InfoAsync("commandstats")).SelectMany(g => g).Select(p => p.Key + "=" + p.Value.Split(',')[0]));
        Assert.True(readsBefore == await ReadCommandsAsync(server), allBefore + "\n" + allAfter);
        Assert.Equal(databaseBefore, database.Requests);
        Assert.Equal(authBefore, auth.Requests);
    }

    /// <summary>How many reads Redis has served (what a cache lookup or a rate-limit check would cost).</summary>
    private static async Task<long> ReadCommandsAsync(StackExchange.Redis.IServer server)
    {
        string[] reads = ["cmdstat_get", "cmdstat_mget", "cmdstat_hget", "cmdstat_hmget", "cmdstat_hgetall", "cmdstat_exists", "cmdstat_eval", "cmdstat_evalsha"];
        return (await server.InfoAsync("commandstats")).SelectMany(group => group)
            .Where(pair => reads.Contains(pair.Key))
            .Sum(pair => long.Parse(pair.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_write_on_one_replica_is_seen_on_the_other_within_aSecond()
    {
        using var user = await First.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        using var onSecond = Second.CreateClient(user.IdToken);
        Assert.Equal("off", (string?)(await ProfileAsync(onSecond))["venues"]!["Den"]!["Lamp"]);

        (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Den", device = "Lamp", value = "on" }, Cancellation)).EnsureSuccessStatusCode();

        await AssertSeenWithinAsync(onSecond, profile => (string?)profile["venues"]!["Den"]!["Lamp"] == "on", "the new device state");
    }

    [Fact]
    public async Task A_write_by_the_worker_evicts_the_profile_on_every_replica_within_aSecond()
    {
        using var user = await First.SignUpAsync();
        await user.AddDeviceAsync("Porch", "Light");
        using var onSecond = Second.CreateClient(user.IdToken);
        await ProfileAsync(user.Client);
        await ProfileAsync(onSecond);

        // A process registered as the scheduler is: its own cache, the same Redis, writing through the decorated database.
        using var worker = BuildWorkerHost();
        await worker.StartAsync(Cancellation);
        await worker.Services.GetRequiredService<IFirebaseDatabase>()
            .SetAsync(UserPaths.Device(user.Uid, "Porch", "Light"), JsonValue.Create("3"), Cancellation);

        await AssertSeenWithinAsync(user.Client, profile => (string?)profile["venues"]!["Porch"]!["Light"] == "3", "the worker's write on the first replica");
        await AssertSeenWithinAsync(onSecond, profile => (string?)profile["venues"]!["Porch"]!["Light"] == "3", "the worker's write on the second replica");
        await worker.StopAsync(Cancellation);
    }

    private IHost BuildWorkerHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = First.Settings["ConnectionStrings:cache"],
            ["Firebase:ProjectId"] = AuthEmulatorFixture.ProjectId,
            ["Firebase:AuthEmulatorHost"] = Dependencies.AuthHost,
            ["Firebase:DatabaseEmulatorHost"] = Dependencies.Database.Host,
            ["Firebase:DatabaseUrl"] = $"https://{First.Namespace}.firebaseio.com",
        });
        builder.AddRedisClient("cache");
        builder.AddFirebase();
        builder.AddUserCache();
        return builder.Build();
    }

    [Fact]
    public async Task A_write_straight_to_the_database_is_not_seen_until_the_user_writes_through_the_service()
    {
        using var user = await First.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        var first = await ProfileAsync(user.Client);

        await First.WriteDatabaseAsync($"users/{user.Uid}/name", JsonValue.Create("Renamed Directly"));
        Assert.Equal((string?)first["name"], (string?)(await ProfileAsync(user.Client))["name"]);

        (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Den", device = "Lamp", value = "on" }, Cancellation)).EnsureSuccessStatusCode();
        var fresh = await ProfileAsync(user.Client);
        Assert.Equal("Renamed Directly", (string?)fresh["name"]);
        Assert.Equal("on", (string?)fresh["venues"]!["Den"]!["Lamp"]);
    }

    [Fact]
    public async Task The_cache_is_keyed_by_the_user_not_by_the_host_or_the_url()
    {
        using var alice = await First.SignUpAsync("Alice");
        using var bob = await First.SignUpAsync("Bob");
        await alice.AddDeviceAsync("AliceRoom", "Lamp");

        using var aliceRequest = new HttpRequestMessage(HttpMethod.Get, "/auth/profile?x=1");
        aliceRequest.Headers.Host = "shared.example";
        using var bobRequest = new HttpRequestMessage(HttpMethod.Get, "/auth/profile?x=1");
        bobRequest.Headers.Host = "shared.example";
        var aliceProfile = await (await alice.Client.SendAsync(aliceRequest, Cancellation)).Content.ReadFromJsonAsync<JsonObject>(Cancellation);
        var bobProfile = await (await bob.Client.SendAsync(bobRequest, Cancellation)).Content.ReadFromJsonAsync<JsonObject>(Cancellation);

        Assert.Equal(alice.Uid, (string?)aliceProfile!["uid"]);
        Assert.Equal(bob.Uid, (string?)bobProfile!["uid"]);
        Assert.Null(bobProfile["venues"]!["AliceRoom"]);
    }

    [Fact]
    public async Task Schedules_read_after_a_schedule_write_show_it_on_both_replicas()
    {
        // The due-schedule index (AuthApp.Domain/Schedules) still writes keys of several slots in one transaction; it
        // is being sharded for Redis Cluster on its own branch. Until then, a schedule write on a cluster answers 500.
        Assert.SkipWhen(Dependencies.Cache is RedisClusterFixture, "The schedule index is not cluster-safe yet (its own branch of issue 19).");
        using var user = await First.SignUpAsync();
        await user.AddDeviceAsync("Porch", "Light");
        using var onSecond = Second.CreateClient(user.IdToken);
        Assert.Equal("{}", (await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation))!["schedules"]!.ToJsonString());
        Assert.Equal("{}", (await onSecond.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation))!["schedules"]!.ToJsonString());

        (await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue = "Porch", device = "Light", time = "06:45 PM", action = "on" }, Cancellation))
            .EnsureSuccessStatusCode();

        // The replica that took the write shows it at once; the other within the eviction bound.
        Assert.Equal("06:45 PM", (string?)(await user.Client.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation))!["schedules"]!["Porch"]?["Light"]?["time"]);
        await Eventually.TrueAsync(async () =>
            (string?)(await onSecond.GetFromJsonAsync<JsonObject>("/auth/get_schedules", Cancellation))!["schedules"]!["Porch"]?["Light"]?["time"] == "06:45 PM",
            "the second replica kept serving the old schedules", EvictionBound);
    }
}

public sealed class UserCacheTestsOnSingleNode(ApiDependencies dependencies) : UserCacheTests(dependencies);

public sealed class UserCacheTestsOnCluster(ApiDependencies dependencies, RedisClusterFixture cluster) : UserCacheTests(dependencies.OnCluster(cluster));
