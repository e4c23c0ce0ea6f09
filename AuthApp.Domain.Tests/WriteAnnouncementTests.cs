using System.Text.Json.Nodes;
using System.Threading.Channels;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Changes;
using AuthApp.Firebase.Database;
using AuthApp.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Tests;

/// <summary>
/// Every write that lands through the database decorator is announced on the change channel of each user it touched,
/// with the host's source, and on nobody else's; a write that failed is not announced.
/// </summary>
public sealed class WriteAnnouncementTests(RedisServerFixture redis) : IAsyncDisposable
{
    private readonly FusionCache _cache = new(new FusionCacheOptions());
    private readonly List<IAsyncDisposable> _subscriptions = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private UserChangeFeed Feed(ChangeSource source) => new(redis.Connection, source, NullLogger<UserChangeFeed>.Instance);

    private async Task<ChannelReader<ChangeNotice>> ListenAsync(string uid)
    {
        var notices = Channel.CreateUnbounded<ChangeNotice>();
        _subscriptions.Add(await Feed(ChangeSource.Api).SubscribeAsync(uid, notice => notices.Writer.TryWrite(notice)));
        return notices.Reader;
    }

    private static async Task<ChangeNotice> NextAsync(ChannelReader<ChangeNotice> notices)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        return await notices.ReadAsync(deadline.Token);
    }

    [Fact]
    public async Task A_multi_path_write_at_the_root_is_announced_to_each_user_with_paths_relative_to_their_record()
    {
        var alice = await ListenAsync("alice");
        var bob = await ListenAsync("bob");
        var database = new WriteFollowUpDatabase(new RecordingDatabase(), new UserCache(_cache), Feed(ChangeSource.Schedule));

        await database.UpdateAsync("", new Dictionary<string, JsonNode?>
        {
            ["users/alice/venues/hall/lamp"] = "on",
            ["users/alice/schedules/hall/lamp/lastNotified"] = 1_800_000_000,
            ["users/bob/venues/den/fan"] = null,
            ["licenseKeys/K"] = "nobody's",
        }, Ct);

        var forAlice = await NextAsync(alice);
        Assert.Equal(ChangeSource.Schedule, forAlice.Source);
        Assert.Equal(["venues/hall/lamp", "schedules/hall/lamp/lastNotified"], forAlice.Writes.Select(write => write.Path));
        Assert.Equal("on", (string?)forAlice.Writes[0].Value);
        var forBob = await NextAsync(bob);
        Assert.Equal(new WrittenValue("venues/den/fan", null), Assert.Single(forBob.Writes));
    }

    [Fact]
    public async Task A_deleted_record_is_announced_as_the_whole_record_removed()
    {
        var alice = await ListenAsync("alice-gone");
        var database = new WriteFollowUpDatabase(new RecordingDatabase(), new UserCache(_cache), Feed(ChangeSource.Api));

        await database.DeleteAsync("users/alice-gone", Ct);

        Assert.Equal(new WrittenValue("", null), Assert.Single((await NextAsync(alice)).Writes));
    }

    [Fact]
    public async Task A_failed_write_is_not_announced()
    {
        var alice = await ListenAsync("alice-failed");
        var feed = Feed(ChangeSource.Api);
        var failing = new WriteFollowUpDatabase(new RecordingDatabase(fail: true), new UserCache(_cache), feed);
        var working = new WriteFollowUpDatabase(new RecordingDatabase(), new UserCache(_cache), feed);

        await Assert.ThrowsAsync<DatabaseException>(() => failing.SetAsync("users/alice-failed/name", "A", Ct));
        await working.SetAsync("users/alice-failed/name", "B", Ct);

        // Pub/sub keeps order on one connection: had the failed write been announced, it would come first.
        Assert.Equal("B", (string?)Assert.Single((await NextAsync(alice)).Writes).Value);
    }

    [Fact]
    public async Task Skipped_occurrences_are_announced_with_the_schedule_they_belong_to()
    {
        var alice = await ListenAsync("alice-skipped");
        var occurrence = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        Feed(ChangeSource.Schedule).AnnounceSkipped("alice-skipped", [new SkippedOccurrence("hall", "lamp", occurrence)]);

        var notice = await NextAsync(alice);
        Assert.Empty(notice.Writes);
        Assert.Equal(new SkippedOccurrence("hall", "lamp", occurrence), Assert.Single(notice.Skipped!));
    }

    [Fact]
    public async Task A_message_on_a_change_channel_that_is_not_a_notice_is_dropped_and_the_next_one_still_arrives()
    {
        var alice = await ListenAsync("alice-noise");
        var subscriber = redis.Connection.GetSubscriber();
        foreach (var noise in new[] { "", "{", "null", "[]", """{"source":"nobody","writes":[]}""", """{"source":"api","writes":[{"value":1}]}""" })
        {
            await subscriber.PublishAsync(UserChangeFeed.ChannelOf("alice-noise"), noise);
        }

        Feed(ChangeSource.Api).AnnounceWrites([("users/alice-noise/name", "A")]);

        Assert.Equal("name", Assert.Single((await NextAsync(alice)).Writes).Path);
    }

    [Fact]
    public async Task Announcing_with_redis_away_neither_throws_nor_waits()
    {
        await using var away = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200");
        var feed = new UserChangeFeed(away, ChangeSource.Api, NullLogger<UserChangeFeed>.Instance);
        var database = new WriteFollowUpDatabase(new RecordingDatabase(), new UserCache(_cache), feed);

        await database.SetAsync("users/alice/name", "A", Ct);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            await subscription.DisposeAsync();
        }

        _cache.Dispose();
    }

    /// <summary>A database that accepts (or fails) every write without storing it.</summary>
    private sealed class RecordingDatabase(bool fail = false) : UnsupportedDatabase
    {
        public override Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) => Done();

        public override Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default) => Done();

        public override Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Done();

        private Task Done() => fail ? Task.FromException(new DatabaseException(DatabaseErrorKind.Unavailable, "down")) : Task.CompletedTask;
    }
}
