using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using AuthApp.Api.Events;
using AuthApp.Domain.Changes;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.Api.Tests.Events;

/// <summary>
/// One user's stream on a controlled clock: how the two sources of a change are told once and with the right source,
/// how far a slow client may fall behind, when a token's stream ends, and what a resume can be served.
/// </summary>
public sealed class UserEventStreamTests(ApiDependencies dependencies)
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-04T12:00:00Z"));
    private readonly EventStreamOptions _options = new() { BufferedEvents = 8, ResumeEvents = 3 };

    private UserEventStream NewStream() => new("alice", _options, _clock, NullLogger.Instance, _ => { });

    private EventConnection Connect(UserEventStream stream, string? lastEventId = null, DateTimeOffset? expiresAt = null)
    {
        var connection = new EventConnection(_clock.GetUtcNow(), null, expiresAt, _options.BufferedEvents);
        Assert.True(stream.TryAttach(connection, lastEventId));
        return connection;
    }

    private static DatabaseStreamEvent Put(string path, JsonNode? data) => new(DatabaseStreamEventKind.Put, path, data);

    private static ChangeNotice Announced(ChangeSource source, string path, JsonNode? value) => new(source, [new WrittenValue(path, value)]);

    /// <summary>What is queued for <paramref name="connection"/> now (the wait for more is cut short, which ends it: read once).</summary>
    private static async Task<List<SseItem<string>>> QueuedAsync(EventConnection connection)
    {
        var items = new List<SseItem<string>>();
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await foreach (var item in connection.ReadAllAsync(_ => { }, stop.Token))
        {
            items.Add(item);
        }

        return items;
    }

    private static IEnumerable<JsonNode?> Devices(IEnumerable<SseItem<string>> items) =>
        items.Where(item => item.EventType == ClientEvents.Device).Select(item => JsonNode.Parse(item.Data));

    [Fact]
    public async Task A_change_the_database_shows_before_its_announcement_is_told_once_as_the_announcers()
    {
        var stream = NewStream();
        var connection = Connect(stream);
        stream.OnDatabaseChange(Put("/", JsonNode.Parse("""{"hall":{"lamp":"off"}}""")));

        stream.OnDatabaseChange(Put("/hall/lamp", "on"));
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        stream.OnNotice(Announced(ChangeSource.Api, "venues/hall/lamp", "on"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var items = await QueuedAsync(connection);
        Assert.Equal(ClientEvents.Sync, items[0].EventType);
        var told = Assert.Single(Devices(items));
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"on","source":"api"}"""), told, JsonNode.DeepEquals);
    }

    [Fact]
    public async Task A_change_nobody_announces_is_told_as_a_direct_write_after_the_grace()
    {
        var stream = NewStream();
        var connection = Connect(stream);
        stream.OnDatabaseChange(Put("/", JsonNode.Parse("""{"hall":{"lamp":"off"}}""")));

        stream.OnDatabaseChange(new DatabaseStreamEvent(DatabaseStreamEventKind.Patch, "/hall", JsonNode.Parse("""{"lamp":"3","faults":"smoke"}""")));
        _clock.Advance(_options.AttributionGrace - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, connection.Waiting); // the sync alone

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        var items = await QueuedAsync(connection);
        Assert.Equal(JsonNode.Parse("""{"venue":"hall","device":"lamp","state":"3","source":"direct"}"""), Assert.Single(Devices(items)), JsonNode.DeepEquals);
        Assert.Equal("smoke", (string?)JsonNode.Parse(items.Single(item => item.EventType == ClientEvents.Faults).Data)!["faults"]);
    }

    [Fact]
    public async Task Whatever_the_order_the_last_state_told_is_the_one_the_database_holds()
    {
        var stream = NewStream();
        var connection = Connect(stream);
        stream.OnDatabaseChange(Put("/", JsonNode.Parse("""{"hall":{"lamp":"off"}}""")));

        // The API set it on; the device then set it to 2 itself, and the database shows only the device's write.
        stream.OnNotice(Announced(ChangeSource.Api, "venues/hall/lamp", "on"));
        stream.OnDatabaseChange(Put("/hall/lamp", "2"));
        _clock.Advance(TimeSpan.FromSeconds(1));

        var told = Devices(await QueuedAsync(connection)).Select(device => ((string?)device!["state"], (string?)device["source"])).ToList();
        Assert.Equal([("on", "api"), ("2", "direct")], told);
    }

    [Fact]
    public async Task A_client_that_falls_behind_is_dropped_with_slow_consumer_and_holds_no_more_than_its_buffer()
    {
        var stream = NewStream();
        var connection = Connect(stream);
        stream.OnDatabaseChange(Put("/", JsonNode.Parse("""{"hall":{"lamp":"off"}}""")));

        for (var i = 0; i < 50; i++)
        {
            stream.OnNotice(Announced(ChangeSource.Api, "venues/hall/lamp", i % 2 == 0 ? "on" : "off"));
        }

        Assert.True(connection.Ended);
        var items = await QueuedAsync(connection);
        Assert.Equal(_options.BufferedEvents + 1, items.Count);
        Assert.Equal(ClientEvents.End, items[^1].EventType);
        Assert.Equal(JsonNode.Parse("""{"reason":"slow-consumer","reconnect":true}"""), JsonNode.Parse(items[^1].Data), JsonNode.DeepEquals);
    }

    [Fact]
    public async Task A_stream_ends_when_its_token_expires_and_not_before()
    {
        var stream = NewStream();
        var connection = Connect(stream, expiresAt: _clock.GetUtcNow().AddMinutes(5));

        stream.Sweep(_clock.GetUtcNow().AddMinutes(5).AddSeconds(-1), heartbeat: true);
        Assert.False(connection.Ended);
        stream.Sweep(_clock.GetUtcNow().AddMinutes(5), heartbeat: false);

        Assert.True(connection.Ended);
        var items = await QueuedAsync(connection);
        Assert.Equal([ClientEvents.Heartbeat, ClientEvents.End], items.Select(item => item.EventType));
        Assert.Equal("expired", (string?)JsonNode.Parse(items[^1].Data)!["reason"]);
    }

    [Fact]
    public async Task A_resume_is_served_from_the_kept_events_and_anything_older_gets_a_sync()
    {
        var stream = NewStream();
        var first = Connect(stream);
        stream.OnDatabaseChange(Put("/", JsonNode.Parse("""{"hall":{"lamp":"off"}}""")));
        foreach (var state in new[] { "1", "2", "3", "4", "5" })
        {
            stream.OnNotice(Announced(ChangeSource.Api, "venues/hall/lamp", state));
        }

        var ids = (await QueuedAsync(first)).Where(item => item.EventType == ClientEvents.Device).Select(item => item.EventId!).ToList();

        var recent = Connect(stream, lastEventId: ids[2]);
        Assert.Equal(["4", "5"], Devices(await QueuedAsync(recent)).Select(device => (string?)device!["state"]));

        var tooOld = Connect(stream, lastEventId: ids[0]);
        var items = await QueuedAsync(tooOld);
        Assert.Equal(ClientEvents.Sync, Assert.Single(items).EventType);
        Assert.Equal("5", (string?)JsonNode.Parse(items[0].Data)!["venues"]!["hall"]!["lamp"]);
    }

    [Fact]
    public async Task A_database_stream_silent_past_three_keep_alives_is_cut_and_opened_again()
    {
        var database = new SilentDatabase();
        var stream = NewStream();
        var feed = new UserChangeFeed(dependencies.Redis.Connection, ChangeSource.Api, NullLogger<UserChangeFeed>.Instance);
        var following = stream.FollowAsync(feed, database);
        await Eventually.TrueAsync(() => database.Listens == 1, "the stream was never opened", TimeSpan.FromSeconds(10));

        stream.CutIfSilent(_clock.GetUtcNow() + UserEventStream.UpstreamSilence);
        Assert.Equal(0, database.Cut);

        _clock.Advance(UserEventStream.UpstreamSilence + TimeSpan.FromSeconds(1));
        stream.CutIfSilent(_clock.GetUtcNow());
        await Eventually.TrueAsync(() => database.Cut == 1, "the silent stream was not cut", TimeSpan.FromSeconds(10));
        // The pause before opening it again is on the (fake) clock.
        await Eventually.TrueAsync(() =>
        {
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            return database.Listens == 2;
        }, "the stream was not opened again", TimeSpan.FromSeconds(10));

        stream.Stop();
        await following.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    /// <summary>A database whose streams answer once, then never again (until cut).</summary>
    private sealed class SilentDatabase : UnsupportedDatabase
    {
        private int _listens;
        private int _cut;

        public int Listens => Volatile.Read(ref _listens);

        public int Cut => Volatile.Read(ref _cut);

        public override async IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _listens);
            yield return new DatabaseStreamEvent(DatabaseStreamEventKind.Put, "/", null);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref _cut);
            }
        }
    }
}
