using System.Net;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using AuthApp.Tests.Scheduling;

namespace AuthApp.Tests.LiveUpdates;

/// <summary>
/// <c>GET /auth/events</c> across the real processes: the client connects through the API's public endpoint (the
/// orchestrator's proxy in front of both replicas, so a stream that arrives at all arrives through it unbuffered) and
/// hears what the other processes do: the scheduler replicas' firings (announced over Redis), a device's own write
/// to the database (seen through the database's stream) and a logout answered by whichever replica took it.
/// Every wait has a deadline; nothing sleeps.
/// </summary>
public sealed class LiveUpdatesTests(AppHostFixture host)
{
    /// <summary>The scheduler replicas look at the index at least every 5 s; a loaded two-core machine gets slack.</summary>
    private static readonly TimeSpan FireTimeout = TimeSpan.FromSeconds(60);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_schedule_fired_by_the_worker_reaches_the_stream_with_its_firing()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("kitchen", "lamp");
        await using var events = await OpenAsync(user);

        var (time, at) = DueNow.LastMinute();
        await user.SetScheduleAsync("kitchen", "lamp", time, "on");
        await using var connection = await host.ConnectToCacheAsync();
        await DueNow.MakeDueAsync(connection.GetDatabase(), at, $"{user.Uid}/kitchen/lamp");

        var device = await events.WaitForAsync("device", data => (string?)data!["state"] == "on", FireTimeout);
        Assert.Equal("kitchen", (string?)device.Data!["venue"]);
        Assert.Equal("lamp", (string?)device.Data["device"]);
        // Known gap (issue note): on a loaded CI machine the worker's announcement has come later than the attribution
        // grace, even a 2-s one, and the change was told as the database showed it. Never as the API's.
        Assert.Contains((string?)device.Data["source"], new[] { "schedule", "direct" });
        // The announcement tells the firing itself, whenever it comes.
        var fired = await events.WaitForAsync("schedule", within: TimeSpan.FromSeconds(15));
        Assert.Equal("kitchen", (string?)fired.Data!["venue"]);
        Assert.Equal("lamp", (string?)fired.Data["device"]);
        Assert.Equal("fired", (string?)fired.Data["outcome"]);
        Assert.Equal("on", (string?)fired.Data["action"]);
        Assert.InRange(fired.Data["at"]!.GetValue<DateTimeOffset>(), at, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_device_writing_to_the_database_with_the_users_token_reaches_the_stream_as_a_direct_write()
    {
        using var user = await host.SignUpAsync();
        await user.AddDeviceAsync("hall", "lamp");
        await using var events = await OpenAsync(user);

        // As the device does: the database's REST API, the user's own ID token, the rules deciding.
        await host.WriteDatabaseAsUserAsync(user.IdToken, $"users/{user.Uid}/venues/hall/lamp", "4");

        var device = await events.WaitForAsync("device");
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"4","source":"direct"}"""), device.Data, JsonNode.DeepEquals);
    }

    [Fact]
    public async Task A_logout_ends_the_sessions_stream_with_revoked_and_closes_it()
    {
        using var user = await host.SignUpAsync();
        await using var events = await OpenAsync(user);

        // Either replica may take the logout; the stream may be on the other one.
        (await user.Client.PostAsync("/auth/logout", null, Cancellation)).EnsureSuccessStatusCode();

        var end = await events.WaitForAsync("end");
        Assert.Equal(JsonNode.Parse("""{"reason":"revoked","reconnect":false}"""), end.Data, JsonNode.DeepEquals);
        await events.WaitClosedAsync();
    }

    /// <summary>A stream of <paramref name="user"/>'s events through the public endpoint, past its first event (the sync).</summary>
    private static async Task<LiveEvents> OpenAsync(ApiUser user)
    {
        var events = await LiveEvents.OpenAsync(user.Client, cancellationToken: Cancellation);
        try
        {
            Assert.Equal(HttpStatusCode.OK, events.Status);
            await events.WaitForAsync("sync");
            return events;
        }
        catch
        {
            await events.DisposeAsync();
            throw;
        }
    }
}
