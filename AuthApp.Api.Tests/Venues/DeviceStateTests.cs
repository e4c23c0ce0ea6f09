using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Users;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Api.Tests.Venues;

/// <summary>
/// <c>POST /auth/device_state</c> checks the device against the user's cached device names: a known device costs
/// one database write, a removal evicts the names everywhere, and a name the cache has not seen yet is looked up in
/// the database, so the answer is always the database's.
/// </summary>
public sealed class DeviceStateTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private ApiFactory _api = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _api = new ApiFactory(dependencies);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _api.DisposeAsync();

    private static async Task<HttpStatusCode> SetStateAsync(HttpClient client, string venue, string device, string value)
    {
        using var response = await client.PostAsJsonAsync("/auth/device_state", new { venue, device, value }, Cancellation);
        return response.StatusCode;
    }

    [Fact]
    public async Task Setting_a_known_devices_state_costs_one_database_request()
    {
        await using var database = await UpstreamProxy.StartAsync(dependencies.Database.Host);
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
        {
            ["Firebase:DatabaseEmulatorHost"] = database.Host,
            ["Caching:AccessRecordFreshness"] = "00:01:00", // no background refresh of the access record in between
        });
        using var user = await api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", "on")); // fills the names

        var before = database.Requests;
        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", (i % 5 + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        Assert.Equal(before + 10, database.Requests);
        Assert.Equal("1", (string?)await api.ReadDatabaseAsync($"users/{user.Uid}/venues/Den/Lamp"));
    }

    [Fact]
    public async Task A_device_removed_through_the_api_is_refused_and_not_recreated()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        await user.AddDeviceAsync("Den", "Fan");
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", "on"));

        (await user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_device")
        {
            Content = JsonContent.Create(new { venue = "Den", device = "Lamp" }),
        }, Cancellation)).EnsureSuccessStatusCode();

        Assert.Equal(HttpStatusCode.NotFound, await SetStateAsync(user.Client, "Den", "Lamp", "on"));
        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Den/Lamp"));
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Fan", "on"));
    }

    [Fact]
    public async Task A_device_removed_on_one_replica_is_refused_on_the_other_once_the_eviction_arrives()
    {
        await using var second = _api.Replica();
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        using var onSecond = second.CreateClient(user.IdToken);
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(onSecond, "Den", "Lamp", "on"));
        var secondCache = second.Services.GetRequiredService<UserCache>().Entries;
        Assert.True(secondCache.TryGet<Dictionary<string, string[]>>(UserCacheKeys.DeviceNames(user.Uid), token: Cancellation).HasValue);

        (await user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_device")
        {
            Content = JsonContent.Create(new { venue = "Den", device = "Lamp" }),
        }, Cancellation)).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(
            () => Task.FromResult(!secondCache.TryGet<Dictionary<string, string[]>>(UserCacheKeys.DeviceNames(user.Uid), token: Cancellation).HasValue),
            "the other replica kept the removed device's name", TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.NotFound, await SetStateAsync(onSecond, "Den", "Lamp", "on"));
        Assert.Null(await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Den/Lamp"));
    }

    [Fact]
    public async Task A_device_the_cache_has_not_seen_is_looked_up_in_the_database()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", "on")); // names cached without Fan

        await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/Den/Fan", JsonValue.Create("off")); // a device adding itself
        await user.AddDeviceAsync("Hall", "Light"); // a venue and device added through the API

        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Fan", "3"));
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Hall", "Light", "on"));
        Assert.Equal("3", (string?)await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Den/Fan"));
        Assert.Equal("on", (string?)await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Hall/Light"));
    }

    [Fact]
    public async Task Venues_written_past_the_size_ceiling_straight_to_the_database_still_let_a_device_be_set()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        // A client writes more than the ceiling into another venue: the cached names cannot be filled.
        await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/Junk", JsonValue.Create(new string('x', UserDataLimits.MaxSubtreeBytes + 1024)));

        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", "on"));
        Assert.Equal(HttpStatusCode.NotFound, await SetStateAsync(user.Client, "Den", "Missing", "on"));
        Assert.Equal("on", (string?)await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/Den/Lamp"));
    }

    [Theory]
    [InlineData("Den", "Missing", HttpStatusCode.NotFound, "device_not_found")]
    [InlineData("Nowhere", "Lamp", HttpStatusCode.NotFound, "venue_not_found")]
    [InlineData("Den", "__created", HttpStatusCode.BadRequest, null)] // reserved names are refused as device names
    [InlineData("Den", "faults", HttpStatusCode.BadRequest, null)]
    public async Task An_unknown_device_or_a_reserved_child_is_refused_and_nothing_is_written(string venue, string device, HttpStatusCode expected, string? code)
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/Den/faults", JsonValue.Create("E1"));
        Assert.Equal(HttpStatusCode.OK, await SetStateAsync(user.Client, "Den", "Lamp", "on"));
        var before = (await _api.ReadDatabaseAsync($"users/{user.Uid}/venues"))!.ToJsonString();

        using var response = await user.Client.PostAsJsonAsync("/auth/device_state", new { venue, device, value = "on" }, Cancellation);

        var problem = await response.ReadProblemAsync(expected);
        if (code is not null)
        {
            Assert.Equal(code, (string?)problem["code"]);
        }

        Assert.Equal(before, (await _api.ReadDatabaseAsync($"users/{user.Uid}/venues"))!.ToJsonString());
    }

    [Fact]
    public async Task Random_sequences_of_device_changes_answer_as_the_database_would_and_never_recreate_a_device()
    {
        // A model of one user's venues, checked after every step against the API's answers and the database.
        using var user = await _api.SignUpAsync();
        var random = new Random(20261129);
        string[] venues = ["Den", "Hall"];
        string[] devices = ["Lamp", "Fan", "Heater"];
        var model = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        for (var step = 0; step < 120; step++)
        {
            var venue = venues[random.Next(venues.Length)];
            var device = devices[random.Next(devices.Length)];
            var exists = model.TryGetValue(venue, out var known) && known.ContainsKey(device);
            switch (random.Next(4))
            {
                case 0:
                    await user.AddDeviceAsync(venue, device);
                    (model.TryGetValue(venue, out var room) ? room : model[venue] = new(StringComparer.Ordinal))[device] = "off";
                    break;
                case 1:
                    using (var response = await user.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_device")
                    {
                        Content = JsonContent.Create(new { venue, device }),
                    }, Cancellation))
                    {
                        Assert.Equal(exists ? HttpStatusCode.OK : HttpStatusCode.NotFound, response.StatusCode);
                    }

                    model.GetValueOrDefault(venue)?.Remove(device);
                    break;
                default:
                    var value = random.Next(2) == 0 ? "on" : "off";
                    Assert.Equal(exists ? HttpStatusCode.OK : HttpStatusCode.NotFound, await SetStateAsync(user.Client, venue, device, value));
                    if (exists)
                    {
                        model[venue][device] = value;
                    }

                    break;
            }

            var stored = await _api.ReadDatabaseAsync($"users/{user.Uid}/venues/{venue}/{device}");
            Assert.Equal(model.GetValueOrDefault(venue)?.GetValueOrDefault(device), (string?)stored);
        }
    }
}
