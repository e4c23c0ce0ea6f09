using System.Net;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.DatabaseEmulator.Tests.Http;

/// <summary>
/// The streaming REST protocol as Firebase documents it (Realtime Database REST, "Streaming from the REST API"): a
/// <c>GET</c> with <c>Accept: text/event-stream</c> gets a <c>put</c> of the location, then <c>put</c>/<c>patch</c> per
/// change, <c>keep-alive</c>, and <c>cancel</c> or <c>auth_revoked</c>, after which the stream ends.
/// </summary>
public sealed class StreamingTests(EmulatorFixture fixture)
{
    private const string Open = """{"rules": {".read": true, ".write": true}}""";

    [Fact]
    public async Task A_stream_opens_with_the_value_and_then_sends_each_write_at_or_below_it_as_put_or_patch()
    {
        var db = await fixture.NewDatabaseAsync(Open);
        await db.SeedAsync("rooms", """{"den": {"lamp": "off"}}""");
        await using var stream = await OpenAsync(db, Identity.Admin, "rooms");

        await ExpectAsync(stream, "put", "/", """{"den":{"lamp":"off"}}""");
        await db.PutAsync(Identity.Admin, "rooms/den/lamp", "\"on\"");
        await ExpectAsync(stream, "put", "/den/lamp", "\"on\"");
        await db.PatchAsync(Identity.Admin, "rooms", """{"kitchen/fan": "1", "hall": {"light": "off"}}""");
        await ExpectAsync(stream, "patch", "/", """{"hall":{"light":"off"},"kitchen/fan":"1"}""");
        var pushed = (await db.PostAsync(Identity.Admin, "rooms/log", "\"x\"")).Json!["name"]!.GetValue<string>();
        await ExpectAsync(stream, "put", $"/log/{pushed}", "\"x\"");
        await db.DeleteAsync(Identity.Admin, "rooms/den");
        await ExpectAsync(stream, "put", "/den", "null");
    }

    [Fact]
    public async Task A_write_above_the_location_sends_its_new_value_and_a_write_beside_it_sends_nothing()
    {
        var db = await fixture.NewDatabaseAsync(Open);
        await db.SeedAsync("rooms", """{"den": {"lamp": "off"}, "kitchen": {"fan": "off"}}""");
        await using var stream = await OpenAsync(db, Identity.Admin, "rooms/den");
        await ExpectAsync(stream, "put", "/", """{"lamp":"off"}""");

        await db.PutAsync(Identity.Admin, "rooms/kitchen/fan", "\"on\"");
        await db.PatchAsync(Identity.Admin, "rooms", """{"kitchen/fan": "2", "hall": 1}""");
        await db.PutAsync(Identity.Admin, "other", "1");
        await db.PutAsync(Identity.Admin, "rooms", """{"den": {"lamp": "on"}}""");

        // The first event after the three writes that do not touch the location is the one that does.
        await ExpectAsync(stream, "put", "/", """{"lamp":"on"}""");
        await db.PatchAsync(Identity.Admin, "rooms", """{"den/lamp": "3"}""");
        await ExpectAsync(stream, "put", "/", """{"lamp":"3"}""");
    }

    [Fact]
    public async Task A_listener_streams_only_what_the_rules_let_it_read()
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {"users": {"$uid": {".read": "auth.uid === $uid", ".write": "auth.uid === $uid"}}}}""");
        await db.SeedAsync("users", """{"alice": {"lamp": "off"}, "bob": {"lamp": "off"}}""");

        var (status, refused, body) = await EventStreamClient.OpenAsync(fixture.Http, db.Namespace, db.User("alice"), "users/bob");
        var (anonymousStatus, _, _) = await EventStreamClient.OpenAsync(fixture.Http, db.Namespace, Identity.Anonymous, "users/alice");
        await using var own = await OpenAsync(db, db.User("alice"), "users/alice");

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Null(refused);
        Assert.Equal("Permission denied", JsonNode.Parse(body)!["error"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousStatus);
        await ExpectAsync(own, "put", "/", """{"lamp":"off"}""");
        await db.PutAsync(db.User("bob"), "users/bob/lamp", "\"on\"");
        await db.PutAsync(db.User("alice"), "users/alice/lamp", "\"on\"");
        await ExpectAsync(own, "put", "/lamp", "\"on\"");
    }

    [Fact]
    public async Task A_stream_is_cancelled_without_the_change_when_the_rules_stop_letting_its_listener_read()
    {
        var db = await fixture.NewDatabaseAsync("""{"rules": {"rooms": {"$room": {".read": "data.child('shared').val() === true"}}}}""");
        await db.SeedAsync("rooms/r1", """{"shared": true, "lamp": "off"}""");
        await using var stream = await OpenAsync(db, db.User("alice"), "rooms/r1");
        await ExpectAsync(stream, "put", "/", """{"lamp":"off","shared":true}""");

        await db.PatchAsync(Identity.Admin, "rooms/r1", """{"shared": false, "lamp": "secret"}""");

        var cancel = await stream.NextAsync();
        Assert.Equal("cancel", cancel!.Name);
        Assert.Equal("Permission denied", cancel.Data!.GetValue<string>());
        Assert.Null(await stream.NextAsync());
    }

    [Fact]
    public async Task Queries_are_refused_on_a_stream()
    {
        var db = await fixture.NewDatabaseAsync(Open);

        var (status, stream, _) = await EventStreamClient.OpenAsync(fixture.Http, db.Namespace, Identity.Admin, "rooms", "orderBy=%22%24key%22&limitToFirst=1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Null(stream);
    }

    [Fact]
    public async Task A_silent_stream_gets_a_keep_alive_and_ends_with_auth_revoked_when_the_token_expires()
    {
        var clock = new FakeTimeProvider(EmulatorFixture.Start);
        await using var app = await EmulatorFixture.StartAsync(clock);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{EmulatorFixture.HostOf(app)}/") };
        var db = new RulesDatabase(http, "clocked", clock);
        await db.SetRulesAsync("""{"rules": {".read": "auth != null"}}""");
        var alice = new Identity("alice", BearerToken: Identity.TokenFor("alice", clock, lifetime: TimeSpan.FromMinutes(1)));
        await using var stream = await OpenWithAsync(http, db, alice, "rooms");
        await ExpectAsync(stream, "put", "/", "null");

        var keepAlive = await AdvanceUntilAsync(clock, stream.NextAsync(within: TimeSpan.FromSeconds(30)));
        var revoked = await AdvanceUntilAsync(clock, stream.NextAsync(within: TimeSpan.FromSeconds(30)));

        Assert.Equal(new ServerEvent("keep-alive", null).ToString(), keepAlive!.ToString());
        Assert.Equal("auth_revoked", revoked!.Name);
        Assert.Null(await stream.NextAsync());
    }

    /// <summary>
    /// Moves the clock a second at a time until <paramref name="next"/> completes: the server arms its keep-alive timer
    /// some time after its last event, and one jump of the clock made before that (a loaded machine) would fire nothing.
    /// </summary>
    private static async Task<ServerEvent?> AdvanceUntilAsync(FakeTimeProvider clock, Task<ServerEvent?> next)
    {
        for (var second = 0; second < 120 && !next.IsCompleted; second++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken));
        }

        return await next;
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_dropped_instead_of_growing_the_emulators_memory()
    {
        await using var app = await EmulatorFixture.StartAsync(new FakeTimeProvider(EmulatorFixture.Start), "--Streaming:MaxPendingEvents=4");
        using var http = new HttpClient { BaseAddress = new Uri($"http://{EmulatorFixture.HostOf(app)}/") };
        var db = new RulesDatabase(http, "slow", new FakeTimeProvider(EmulatorFixture.Start));
        await using var stream = await OpenWithAsync(http, db, Identity.Admin, "big");

        // ~32 MB of events, more than the sockets between the emulator and this unread client hold.
        var value = $"\"{new string('x', 256 * 1024)}\"";
        for (var i = 0; i < 128; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await db.PutAsync(Identity.Admin, $"big/{i}", value)).Status);
        }

        var received = 0;
        while (await stream.NextAsync(TimeSpan.FromSeconds(30)) is not null)
        {
            received++;
        }

        // The opening put and 128 changes: a stream that ended before all 129 dropped the client.
        Assert.InRange(received, 1, 128);
    }

    private Task<EventStreamClient> OpenAsync(RulesDatabase db, Identity who, string path) => OpenWithAsync(fixture.Http, db, who, path);

    private static async Task<EventStreamClient> OpenWithAsync(HttpClient http, RulesDatabase db, Identity who, string path)
    {
        var (status, stream, body) = await EventStreamClient.OpenAsync(http, db.Namespace, who, path);
        Assert.True(stream is not null, $"the stream did not open: {(int)status} {body}");
        return stream;
    }

    private static async Task ExpectAsync(EventStreamClient stream, string name, string path, string data)
    {
        var next = await stream.NextAsync();
        Assert.NotNull(next);
        Assert.Equal($"{name} {path} {data}", $"{next.Name} {next.Data!["path"]} {next.Data["data"]?.ToJsonString() ?? "null"}");
    }
}
