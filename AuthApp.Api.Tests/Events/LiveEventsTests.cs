using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Api.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Events;

/// <summary>
/// <c>GET /auth/events</c> on the real API, Redis and the emulators: every source of change reaches the user's stream
/// with who made it, the stream starts with the user's state, resumes, and ends when the session does.
/// </summary>
public sealed class LiveEventsTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly ApiFactory _api = new(dependencies, settings: new Dictionary<string, string?>
    {
        ["Events:HeartbeatInterval"] = "00:00:01",
        // Which source a change is told with must not depend on how loaded the machine is: a 2-s grace leaves an
        // announcement time to arrive even when every test assembly runs at once (the product waits 250 ms).
        ["Events:AttributionGrace"] = "00:00:02",
    });

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_stream_starts_with_the_users_venues_and_tells_a_device_set_through_the_api_as_the_apis_doing()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.OK, events.Status);
        Assert.Equal("text/event-stream", events.Response.Content.Headers.ContentType?.MediaType);

        var sync = await events.WaitForAsync("sync");
        Assert.Equal("off", (string?)sync.Data!["venues"]!["hall"]!["lamp"]);
        Assert.NotNull(sync.Id);

        (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value = "on" }, Cancellation)).EnsureSuccessStatusCode();
        var change = await events.WaitForAsync("device");
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"on","source":"api"}"""), change.Data, JsonNode.DeepEquals);
        Assert.NotEqual(sync.Id, change.Id);

        // The database's stream shows the same change a moment later: it is not told twice (three heartbeats, a
        // second apart, outlast the grace in which it could have been).
        for (var i = 0; i < 3; i++)
        {
            await events.WaitForAsync("heartbeat", within: TimeSpan.FromSeconds(5));
        }

        Assert.Single(events.Received, received => received.Type == "device");
    }

    [Fact]
    public async Task A_device_or_sensor_writing_straight_to_the_database_is_told_as_a_direct_write()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/hall/lamp", "3");
        var change = await events.WaitForAsync("device");
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"3","source":"direct"}"""), change.Data, JsonNode.DeepEquals);

        await _api.WriteDatabaseAsync($"users/{user.Uid}/venues/hall/faults", "smoke");
        var faults = await events.WaitForAsync("faults");
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","faults":"smoke","source":"direct"}"""), faults.Data, JsonNode.DeepEquals);
    }

    [Fact]
    public async Task A_venue_added_and_deleted_through_the_api_is_told_with_its_devices()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        await user.AddDeviceAsync("attic", "fan", "2");
        await events.WaitForAsync("venue", data => (string?)data!["venue"] == "attic" && (bool)data["exists"]!);
        await events.WaitForAsync("device", data => (string?)data!["device"] == "fan" && (string?)data["state"] == "2" && (string?)data["source"] == "api");

        using var delete = new HttpRequestMessage(HttpMethod.Delete, "/auth/delete_venue") { Content = JsonContent.Create(new { venue = "attic" }) };
        (await user.Client.SendAsync(delete, Cancellation)).EnsureSuccessStatusCode();
        await events.WaitForAsync("venue", data => (string?)data!["venue"] == "attic" && !(bool)data["exists"]!);
    }

    [Fact]
    public async Task A_profile_change_through_the_api_is_told()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        (await user.Client.PostAsJsonAsync("/auth/time_zone", new { timeZone = "Europe/Paris" }, Cancellation)).EnsureSuccessStatusCode();
        await events.WaitForAsync("profile", data => (string?)data!["timeZone"] == "Europe/Paris");
    }

    [Fact]
    public async Task A_logout_ends_the_sessions_streams_with_revoked()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        (await user.Client.PostAsync("/auth/logout", null, Cancellation)).EnsureSuccessStatusCode();
        var end = await events.WaitForAsync("end");
        Assert.Equal(JsonNode.Parse("""{"reason":"revoked","reconnect":false}"""), end.Data, JsonNode.DeepEquals);
        await events.WaitClosedAsync();

        // And the token opens no new one.
        await using var again = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, again.Status);
    }

    [Fact]
    public async Task Deleting_the_account_ends_its_streams_with_deleted()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        (await user.Client.DeleteAsync("/auth/account", Cancellation)).EnsureSuccessStatusCode();
        var end = await events.WaitForAsync("end");
        Assert.Equal("deleted", (string?)end.Data!["reason"]);
        await events.WaitClosedAsync();
    }

    [Fact]
    public async Task A_reconnection_with_last_event_id_gets_exactly_the_events_it_missed()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        string lastSeen;
        await using (var first = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation))
        {
            await first.WaitForAsync("sync");
            await SetAsync(user, "on");
            lastSeen = (await first.WaitForAsync("device")).Id!;
        }

        // Disconnected: the replica keeps following the user for a while (Events:ResumeLinger).
        await SetAsync(user, "2");
        await SetAsync(user, "off");
        await using var resumed = await LiveEvents.OpenAsync(user.Client, lastSeen, Cancellation);
        Assert.Equal("2", (string?)(await resumed.WaitForAsync("device")).Data!["state"]);
        Assert.Equal("off", (string?)(await resumed.WaitForAsync("device")).Data!["state"]);
        Assert.DoesNotContain(resumed.Received, received => received.Type == "sync");
    }

    [Fact]
    public async Task A_last_event_id_this_replica_cannot_serve_gets_a_sync()
    {
        using var user = await _api.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp", "4");
        await using var events = await LiveEvents.OpenAsync(user.Client, "elsewhere.12", Cancellation);
        var sync = await events.WaitForAsync("sync");
        Assert.Equal("4", (string?)sync.Data!["venues"]!["hall"]!["lamp"]);
    }

    [Fact]
    public async Task Heartbeats_keep_an_idle_stream_alive_and_carry_the_reconnection_hint()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        var heartbeat = await events.WaitForAsync("heartbeat", within: TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(2), heartbeat.Retry);
    }

    [Fact]
    public async Task More_streams_than_a_user_may_hold_on_a_replica_is_a_429_problem()
    {
        using var user = await _api.SignUpAsync();
        var open = new List<LiveEvents>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                open.Add(await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation));
                Assert.Equal(HttpStatusCode.OK, open[^1].Status);
            }

            await using var refused = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.Status);
            var problem = await refused.Response.Content.ReadFromJsonAsync<JsonObject>(Cancellation);
            Assert.Equal("too_many_streams", (string?)problem!["code"]);
            Assert.True(refused.Response.Headers.RetryAfter is not null);
        }
        finally
        {
            foreach (var events in open)
            {
                await events.DisposeAsync();
            }
        }

        Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task A_stream_needs_a_valid_token()
    {
        using var anonymous = _api.CreateClient(idToken: null);
        await using var events = await LiveEvents.OpenAsync(anonymous, cancellationToken: Cancellation);
        Assert.Equal(HttpStatusCode.Unauthorized, events.Status);
    }

    [Fact]
    public async Task A_replica_shutting_down_ends_its_streams_telling_clients_to_reconnect()
    {
        using var user = await _api.SignUpAsync();
        await using var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        _api.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var end = await events.WaitForAsync("end");
        Assert.Equal(JsonNode.Parse("""{"reason":"shutdown","reconnect":true}"""), end.Data, JsonNode.DeepEquals);
        Assert.NotNull(end.Retry);
        await events.WaitClosedAsync();
        Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
    }

    [Fact]
    public async Task Open_streams_are_measured_for_the_dashboard()
    {
        using var user = await _api.SignUpAsync();
        using var connections = new MetricCollector<int>(_api.Services.GetRequiredService<IMeterFactory>(), UserEventHub.TelemetryName, "authapp.events.connections");
        var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        await events.WaitForAsync("sync");

        connections.RecordObservableInstruments();
        Assert.Equal(1, connections.LastMeasurement?.Value);

        await events.DisposeAsync();
        await Eventually.TrueAsync(() =>
        {
            connections.RecordObservableInstruments();
            return connections.LastMeasurement?.Value == 0;
        }, "the closed stream is still counted", TimeSpan.FromSeconds(10));
    }

    private static async Task SetAsync(ApiUser user, string value) =>
        (await user.Client.PostAsJsonAsync("/auth/device_state", new { venue = "hall", device = "lamp", value }, Cancellation)).EnsureSuccessStatusCode();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
