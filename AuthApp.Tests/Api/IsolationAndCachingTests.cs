using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Api;

public sealed class IsolationAndCachingTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_cached_profile_is_never_served_to_another_user()
    {
        using var alice = await host.SignUpAsync("Alice");
        using var bob = await host.SignUpAsync("Bob");
        await alice.AddDeviceAsync("AliceRoom", "Lamp");

        var aliceProfile = await ProfileAsync(alice);
        var bobProfile = await ProfileAsync(bob);

        Assert.Equal(alice.Uid, (string?)aliceProfile["uid"]);
        Assert.Equal(bob.Uid, (string?)bobProfile["uid"]);
        Assert.Equal("Bob", (string?)bobProfile["name"]);
        Assert.Null(bobProfile["venues"]!["AliceRoom"]);
    }

    [Fact]
    public async Task A_user_cannot_read_or_change_another_users_devices()
    {
        using var alice = await host.SignUpAsync("Alice");
        using var bob = await host.SignUpAsync("Bob");
        await alice.AddDeviceAsync("Shared", "Lamp", "off");

        // Bob names Alice's venue and device: the request only ever reaches Bob's own data.
        using var change = await bob.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Shared", device = "Lamp", value = "on" }, Cancellation);
        using var delete = await bob.Client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_venue")
        {
            Content = JsonContent.Create(new { venue = "Shared" }),
        }, Cancellation);
        using var schedules = await bob.Client.GetAsync("/auth/get_schedules", Cancellation);

        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        Assert.Equal("{}", (await schedules.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["schedules"]!.ToJsonString());
        Assert.Equal("off", (string?)await host.ReadDatabaseAsync($"users/{alice.Uid}/venues/Shared/Lamp"));
    }

    [Fact]
    public async Task The_profile_is_served_from_the_cache_until_the_user_writes()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("Den", "Lamp");
        var first = await ProfileAsync(user);

        // A change behind the API's back (as a device writes) is not seen while the profile is cached...
        await host.WriteDatabaseAsync($"users/{user.Uid}/name", JsonValue.Create("Renamed Directly"));
        var cached = await ProfileAsync(user);
        Assert.Equal((string?)first["name"], (string?)cached["name"]);

        // ...but the user's own write through the API evicts it at once, on every replica.
        using var write = await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "Den", device = "Lamp", value = "on" }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        for (var i = 0; i < 4; i++)
        {
            var fresh = await ProfileAsync(user);
            Assert.Equal("on", (string?)fresh["venues"]!["Den"]!["Lamp"]);
            Assert.Equal("Renamed Directly", (string?)fresh["name"]);
        }
    }

    [Fact]
    public async Task Schedules_read_after_a_schedule_write_show_the_write()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("Porch", "Light");
        using var empty = await user.Client.GetAsync("/auth/get_schedules", Cancellation);
        Assert.Equal("{}", (await empty.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["schedules"]!.ToJsonString());

        using var set = await user.Client.PostAsJsonAsync("/auth/set_schedule", new { venue = "Porch", device = "Light", time = "06:45 PM", action = "on" }, Cancellation);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        using var after = await user.Client.GetAsync("/auth/get_schedules", Cancellation);
        var schedules = (await after.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!["schedules"]!;
        Assert.Equal("06:45 PM", (string?)schedules["Porch"]!["Light"]!["time"]);
    }

    private static async Task<JsonObject> ProfileAsync(TestUser user)
    {
        using var response = await user.Client.GetAsync("/auth/profile", Cancellation);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>(Cancellation))!;
    }
}
