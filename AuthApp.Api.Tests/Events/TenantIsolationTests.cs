using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Events;

/// <summary>
/// Many tenants stream at once on two replicas while their devices change through the API and straight in the
/// database, in any interleaving: each stream tells its own tenant's changes and ends on its tenant's latest state,
/// and never anything of another tenant. A tenant whose venues hold anything a client can write hurts no one. On one
/// Redis and on a Redis Cluster (where each user's change channel lives on the shard that owns it).
/// </summary>
public abstract class TenantIsolationTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private const int Tenants = 5;
    private static readonly string[] States = ["on", "off", "1", "2", "3", "4", "5"];

    private readonly ApiFactory _api = new(dependencies);
    private ApiFactory? _replica;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>One change: whose, through the API or straight into the database, and the state it sets.</summary>
    private sealed record Change(int Tenant, bool Direct, string State);

    private static readonly Gen<Change> AnyChange = Gen.Select(Gen.Int[0, Tenants - 1], Gen.Bool, Gen.Int[0, States.Length - 1])
        .Select((tenant, direct, state) => new Change(tenant, direct, States[state]));

    [Fact]
    public async Task Each_stream_tells_its_own_tenants_changes_in_any_interleaving_and_never_anothers()
    {
        _replica = _api.Replica();
        var users = new List<ApiUser>();
        var streams = new List<LiveEvents>();
        try
        {
            for (var i = 0; i < Tenants; i++)
            {
                var user = await _api.SignUpAsync();
                users.Add(user);
                // Every tenant has the same device names; only the venue tells them apart in what a stream says.
                await user.AddDeviceAsync(VenueOf(i), "lamp");
                // Half of the streams on the other replica: announcements cross replicas through Redis.
                var client = i % 2 == 0 ? user.Client : _replica.CreateClient(user.IdToken);
                var stream = await LiveEvents.OpenAsync(client, cancellationToken: Cancellation);
                streams.Add(stream);
                await stream.WaitForAsync("sync");
            }

            var expected = Enumerable.Repeat("off", Tenants).ToArray();
            await AnyChange.Array[1, 12].SampleAsync(async changes =>
            {
                foreach (var change in changes)
                {
                    await ApplyAsync(users[change.Tenant], change);
                    expected[change.Tenant] = change.State;
                }

                for (var i = 0; i < Tenants; i++)
                {
                    await WaitUntilToldAsync(streams[i], i, expected[i]);
                }
            }, iter: PropertyRuns.Iterations(6), threads: 1);

            // The API's announcements crossed Redis (a sharded channel on a cluster): its changes were told as its own.
            Assert.Contains(streams.SelectMany(stream => stream.Received), received => received.Type == "device" && (string?)received.Data!["source"] == "api");
            for (var i = 0; i < Tenants; i++)
            {
                var foreign = streams[i].Received.Where(received => received.Data?["venue"] is { } venue && (string?)venue != VenueOf(i)
                    || received.Data?["venues"] is JsonObject venues && venues.Any(venue => venue.Key != VenueOf(i))).ToList();
                Assert.True(foreign.Count == 0, $"tenant {i} was told {string.Join(", ", foreign.Select(e => e.Data?.ToJsonString()))}");
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }

            foreach (var user in users)
            {
                user.Dispose();
            }
        }

        Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
        Assert.Empty(_replica.Logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task A_tenant_whose_venues_hold_anything_a_client_can_write_costs_nobody_else_an_event()
    {
        using var hostile = await _api.SignUpAsync();
        using var neighbour = await _api.SignUpAsync();
        await neighbour.AddDeviceAsync("hall", "lamp");
        await using var hostileStream = await LiveEvents.OpenAsync(hostile.Client, cancellationToken: Cancellation);
        await using var neighbourStream = await LiveEvents.OpenAsync(neighbour.Client, cancellationToken: Cancellation);
        await hostileStream.WaitForAsync("sync");
        await neighbourStream.WaitForAsync("sync");

        var state = 0;
        await HostileJson.UserRecord(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).SampleAsync(async record =>
        {
            // Straight into the database, past what the rules would let a client write.
            await _api.WriteDatabaseAsync($"users/{hostile.Uid}/venues", record["venues"]?.DeepClone());
            var next = States[state++ % States.Length];
            (await neighbour.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value = next }, Cancellation)).EnsureSuccessStatusCode();
            await neighbourStream.WaitForAsync("device", data => (string?)data!["state"] == next);
        }, iter: PropertyRuns.Iterations(20), threads: 1);

        // Venues larger than a stream follows: the tenant's database stream gives up (a warning), nobody else notices.
        var huge = new JsonObject();
        for (var i = 0; i < 2_000; i++)
        {
            huge[$"room{i}"] = new JsonObject { ["lamp"] = new string('x', 300) };
        }

        await _api.WriteDatabaseAsync($"users/{hostile.Uid}/venues", huge);
        (await neighbour.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value = "5" }, Cancellation)).EnsureSuccessStatusCode();
        await neighbourStream.WaitForAsync("device", data => (string?)data!["state"] == "5");
        Assert.False(hostileStream.Closed && hostileStream.Received.LastOrDefault()?.Type != "end", "the hostile tenant's stream was cut without an end event");
        Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
    }

    private static string VenueOf(int tenant) => $"home{tenant}";

    private async Task ApplyAsync(ApiUser user, Change change)
    {
        var venue = VenueOf(change.Tenant);
        if (change.Direct)
        {
            await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/{venue}/lamp", change.State);
        }
        else
        {
            (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue, device = "lamp", value = change.State }, Cancellation)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>Waits until the last thing <paramref name="stream"/> told of the tenant's lamp is <paramref name="state"/>.</summary>
    private static Task WaitUntilToldAsync(LiveEvents stream, int tenant, string state) =>
        Eventually.TrueAsync(() => LastTold(stream, tenant) == state, () => $"tenant {tenant} was last told {LastTold(stream, tenant)}, not {state}", TimeSpan.FromSeconds(10));

    private static string? LastTold(LiveEvents stream, int tenant)
    {
        var received = stream.Received;
        var told = received.LastOrDefault(e => e.Type == "device" && (string?)e.Data!["device"] == "lamp");
        return told is not null
            ? (string?)told.Data!["state"]
            : (string?)received.First(e => e.Type == "sync").Data!["venues"]![VenueOf(tenant)]!["lamp"];
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        if (_replica is not null)
        {
            await _replica.DisposeAsync();
        }
    }
}

public sealed class TenantIsolationTestsOnSingleNode(ApiDependencies dependencies) : TenantIsolationTests(dependencies);

public sealed class TenantIsolationTestsOnCluster(ApiDependencies dependencies, RedisClusterFixture cluster) : TenantIsolationTests(dependencies.OnCluster(cluster));
