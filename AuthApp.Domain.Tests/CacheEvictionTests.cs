using System.Text.Json.Nodes;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Changes;
using AuthApp.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using AuthApp.Firebase.Database;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Tests;

/// <summary>Every write through the database decorator evicts exactly the cache entries of the users it touched.</summary>
public sealed class CacheEvictionTests : IDisposable
{
    private readonly FusionCache _cache = new(new FusionCacheOptions());
    private readonly UserChangeFeed _feed;
    private readonly WriteFollowUpDatabase _database;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public CacheEvictionTests(RedisServerFixture redis)
    {
        _feed = new UserChangeFeed(redis.Connection, ChangeSource.Api, NullLogger<UserChangeFeed>.Instance);
        _database = new WriteFollowUpDatabase(new NoopDatabase(), new UserCache(_cache), _feed);
    }

    public void Dispose() => _cache.Dispose();

    private void Fill(params string[] uids)
    {
        foreach (var key in uids.SelectMany(UserCacheKeys.All))
        {
            _cache.Set(key, "cached");
        }
    }

    private IReadOnlyList<string> Remaining(params string[] uids) =>
        [.. uids.SelectMany(UserCacheKeys.All).Where(key => _cache.TryGet<string>(key).HasValue)];

    public static TheoryData<string, string[]> WritesToAlicesData => new()
    {
        // Each write, and the kinds of alice's entries it evicts (bob's are never touched).
        { "set", ["profile"] },
        { "set-if-match", ["profile"] },
        { "update", ["profile"] },
        { "update-at-users", ["profile", "devices"] },
        { "update-at-root", ["schedules"] },
        { "delete", [] },
        { "delete-if-match", ["profile", "devices"] },
        { "transact", [] },
    };

    [Theory]
    [MemberData(nameof(WritesToAlicesData))]
    public async Task A_write_in_a_users_record_evicts_what_it_changed_of_that_user_and_nothing_of_anyone_else(string write, string[] evicted)
    {
        Fill("alice", "bob");

        await (write switch
        {
            "set" => _database.SetAsync("users/alice/venues/Den/Lamp", "on", cancellationToken: Ct),
            "set-if-match" => _database.SetIfMatchAsync("users/alice/name", "A", "etag", cancellationToken: Ct),
            "update" => _database.UpdateAsync("users/alice", new Dictionary<string, JsonNode?> { ["venues/Den/Lamp"] = "on" }, cancellationToken: Ct),
            "update-at-users" => _database.UpdateAsync("users", new Dictionary<string, JsonNode?> { ["alice/venues/Den"] = null }, cancellationToken: Ct),
            "update-at-root" => _database.UpdateAsync("", new Dictionary<string, JsonNode?> { ["users/alice/schedules/Den"] = null, ["licenseKeys/K"] = null }, cancellationToken: Ct),
            "delete" => _database.DeleteAsync("/users/alice/monitoring_venues/Den/", cancellationToken: Ct),
            "delete-if-match" => _database.DeleteIfMatchAsync("users/alice/venues/Den", "etag", cancellationToken: Ct),
            "transact" => (Task)_database.TransactAsync("users/alice/monitoring_venues/Den", current => current, cancellationToken: Ct),
            _ => throw new ArgumentOutOfRangeException(nameof(write)),
        });

        Assert.Equal(
            [.. UserCacheKeys.All("alice").Where(key => !evicted.Any(kind => key.EndsWith(":" + kind, StringComparison.Ordinal))), .. UserCacheKeys.All("bob")],
            Remaining("alice", "bob"));
    }

    [Theory]
    [InlineData("users/alice/timeZone", new[] { "profile" })]
    [InlineData("users/alice/email", new[] { "profile" })]
    [InlineData("users/alice/schedules/Den/Lamp/lastNotified", new[] { "schedules" })]
    [InlineData("users/alice/fcmToken", new string[0])]
    [InlineData("users/alice/secure/gemini_key", new string[0])]
    public async Task Each_entry_is_evicted_by_writes_to_the_fields_it_is_made_of(string path, string[] evicted)
    {
        Fill("alice");

        await _database.SetAsync(path, "x", cancellationToken: Ct);

        Assert.Equal(UserCacheKeys.All("alice").Where(key => !evicted.Any(kind => key.EndsWith(":" + kind, StringComparison.Ordinal))), Remaining("alice"));
    }

    public static TheoryData<string, bool> DeviceNameWritesData => new()
    {
        // Setting a value where a device lives adds a name at most: the names stay (a missing one is looked up).
        { "set users/alice/venues/Den/Lamp", false },
        { "set users/alice/venues/Den/__created", false },
        { "update users/alice/venues/Den {Lamp}", false },
        { "update users/alice {venues/Den/Lamp}", false },
        { "set users/alice/schedules/Den/Lamp", false },
        // Removing a device, or replacing a venue or all of them, can take a name away.
        { "set users/alice/venues/Den/Lamp null", true },
        { "update users/alice/venues/Den {Lamp: null}", true },
        { "delete users/alice/venues/Den/Lamp", true },
        { "delete-if-match users/alice/venues/Den/Lamp", true },
        { "transact users/alice/venues/Den/Lamp", true },
        { "set users/alice/venues/Den", true },
        { "update users/alice/venues {Den}", true },
        { "set users/alice/venues", true },
        { "set users/alice/venues/Den/Lamp/level", true },
        { "set users/alice", true },
    };

    [Theory]
    [MemberData(nameof(DeviceNameWritesData))]
    public async Task Device_names_are_evicted_only_by_writes_that_can_remove_a_name(string write, bool evicted)
    {
        Fill("alice");

        await (write switch
        {
            "set users/alice/venues/Den/Lamp" => _database.SetAsync("users/alice/venues/Den/Lamp", "on", cancellationToken: Ct),
            "set users/alice/venues/Den/__created" => _database.SetAsync("users/alice/venues/Den/__created", true, cancellationToken: Ct),
            "update users/alice/venues/Den {Lamp}" => _database.UpdateAsync("users/alice/venues/Den", new Dictionary<string, JsonNode?> { ["Lamp"] = "on" }, cancellationToken: Ct),
            "update users/alice {venues/Den/Lamp}" => _database.UpdateAsync("users/alice", new Dictionary<string, JsonNode?> { ["venues/Den/Lamp"] = "on" }, cancellationToken: Ct),
            "set users/alice/schedules/Den/Lamp" => _database.SetAsync("users/alice/schedules/Den/Lamp", null, cancellationToken: Ct),
            "set users/alice/venues/Den/Lamp null" => _database.SetAsync("users/alice/venues/Den/Lamp", null, cancellationToken: Ct),
            "update users/alice/venues/Den {Lamp: null}" => _database.UpdateAsync("users/alice/venues/Den", new Dictionary<string, JsonNode?> { ["Lamp"] = null }, cancellationToken: Ct),
            "delete users/alice/venues/Den/Lamp" => _database.DeleteAsync("users/alice/venues/Den/Lamp", cancellationToken: Ct),
            "delete-if-match users/alice/venues/Den/Lamp" => _database.DeleteIfMatchAsync("users/alice/venues/Den/Lamp", "etag", cancellationToken: Ct),
            "transact users/alice/venues/Den/Lamp" => (Task)_database.TransactAsync("users/alice/venues/Den/Lamp", current => current, cancellationToken: Ct),
            "set users/alice/venues/Den" => _database.SetAsync("users/alice/venues/Den", new JsonObject { ["Lamp"] = "on" }, cancellationToken: Ct),
            "update users/alice/venues {Den}" => _database.UpdateAsync("users/alice/venues", new Dictionary<string, JsonNode?> { ["Den"] = new JsonObject { ["Lamp"] = "on" } }, cancellationToken: Ct),
            "set users/alice/venues" => _database.SetAsync("users/alice/venues", new JsonObject(), cancellationToken: Ct),
            "set users/alice/venues/Den/Lamp/level" => _database.SetAsync("users/alice/venues/Den/Lamp/level", 3, cancellationToken: Ct),
            "set users/alice" => _database.SetAsync("users/alice", new JsonObject(), cancellationToken: Ct),
            _ => throw new ArgumentOutOfRangeException(nameof(write)),
        });

        Assert.Equal(!evicted, Remaining("alice").Contains(UserCacheKeys.DeviceNames("alice")));
    }

    [Fact]
    public async Task A_write_of_verified_access_evicts_the_access_record_and_the_profile()
    {
        Fill("alice");

        await _database.SetAsync("users/alice/verifiedAccess", true, cancellationToken: Ct);

        Assert.Equal([UserCacheKeys.Schedules("alice"), UserCacheKeys.DeviceNames("alice")], Remaining("alice"));
    }

    [Fact]
    public async Task A_write_of_the_whole_record_evicts_everything_of_the_user()
    {
        Fill("alice");

        await _database.SetAsync("users/alice", new JsonObject { ["name"] = "A" }, cancellationToken: Ct);

        Assert.Empty(Remaining("alice"));
    }

    [Fact]
    public async Task A_multi_path_update_touching_two_users_evicts_both()
    {
        Fill("alice", "bob", "carol");

        await _database.UpdateAsync("users", new Dictionary<string, JsonNode?> { ["alice/name"] = "A", ["bob"] = null }, cancellationToken: Ct);

        Assert.Equal([UserCacheKeys.Access("alice"), UserCacheKeys.Schedules("alice"), UserCacheKeys.DeviceNames("alice"), .. UserCacheKeys.All("carol")], Remaining("alice", "bob", "carol"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("users")]
    public async Task Replacing_every_users_record_evicts_everything(string path)
    {
        Fill("alice", "bob");

        await _database.SetAsync(path, new JsonObject(), cancellationToken: Ct);

        Assert.Empty(Remaining("alice", "bob"));
    }

    [Fact]
    public async Task A_write_outside_users_evicts_nothing()
    {
        Fill("alice");

        await _database.SetAsync("licenseKeys/K/usedBy", "alice", cancellationToken: Ct);

        Assert.Equal(UserCacheKeys.All("alice"), Remaining("alice"));
    }

    [Fact]
    public async Task A_failed_write_still_evicts_as_it_may_have_been_applied()
    {
        Fill("alice");
        var failing = new WriteFollowUpDatabase(new NoopDatabase(fail: true), new UserCache(_cache), _feed);

        await Assert.ThrowsAsync<DatabaseException>(() => failing.SetAsync("users/alice/name", "A", cancellationToken: Ct));

        Assert.Equal([UserCacheKeys.Access("alice"), UserCacheKeys.Schedules("alice"), UserCacheKeys.DeviceNames("alice")], Remaining("alice"));
    }

    [Fact]
    public async Task Evicting_a_user_forgets_every_entry_of_theirs()
    {
        Fill("alice", "bob");

        await new UserCache(_cache).EvictAsync("alice", TestContext.Current.CancellationToken);

        Assert.Equal(UserCacheKeys.All("bob"), Remaining("alice", "bob"));
    }

    private sealed class NoopDatabase(bool fail = false) : IFirebaseDatabase
    {
        public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default) => Task.FromResult<JsonNode?>(null);

        public Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default) => Task.FromResult<JsonNode?>(null);

        public Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default) => Task.FromResult<JsonNode?>(null);

        public Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default) => Task.FromResult<JsonNode?>(null);

        public IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<DatabaseChild>();

        public IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, CancellationToken cancellationToken = default) => AsyncEnumerable.Empty<string>();

        public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default) => Task.FromResult(new DatabaseETagged(null, "etag"));

        public Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) => Done();

        public Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default) => Done(new ConditionalWriteResult(true, null, null));

        public Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default) => Done();

        public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => Done();

        public Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default) => Done(new ConditionalWriteResult(true, null, null));

        public Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default) => Done<JsonNode?>(null);

        private Task Done() => fail ? Task.FromException(new DatabaseException(DatabaseErrorKind.Unavailable, "down")) : Task.CompletedTask;

        private Task<T> Done<T>(T value) => fail ? Task.FromException<T>(new DatabaseException(DatabaseErrorKind.Unavailable, "down")) : Task.FromResult(value);
    }
}
