using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>The database emulator of the listen tests: keep-alives every half second, so that a test sees them come.</summary>
public sealed class ListenDatabase() : DatabaseEmulatorFixture(TimeProvider.System, "--Streaming:KeepAliveSeconds=0.5")
{
    public DatabaseClientScope CreateClient(Action<IServiceCollection>? configure = null) =>
        DatabaseClientScope.Create(Host, NewNamespace(), configure);
}

/// <summary>
/// <see cref="IFirebaseDatabase.ListenAsync"/> against the emulator's streaming protocol: the initial value, changes as
/// put and patch with paths relative to the listened location, keep-alives, and every way a stream ends.
/// </summary>
public sealed class DatabaseListenTests(ListenDatabase fixture) : IClassFixture<ListenDatabase>
{
    private static readonly TimeSpan Deadline = Eventually.DefaultDeadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_listen_yields_the_location_then_each_set_and_update_with_its_relative_path()
    {
        using var scope = fixture.CreateClient();
        await fixture.WriteAsync(scope.Namespace, "rooms", JsonNode.Parse("""{"den": {"lamp": "off"}}"""));
        await using var events = scope.Database.ListenAsync("rooms", 1024, Ct).GetAsyncEnumerator(Ct);

        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", """{"den":{"lamp":"off"}}""");
        await scope.Database.SetAsync("rooms/den/lamp", "on", Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/den/lamp", "\"on\"");
        await scope.Database.UpdateAsync("rooms/den", new Dictionary<string, JsonNode?> { ["fan"] = "2", ["lamp"] = null }, Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Patch, "/den", """{"fan":"2","lamp":null}""");
        await scope.Database.DeleteAsync("rooms", Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "null");

        var request = Assert.Single(scope.Requests.All, recorded => recorded.Uri.AbsolutePath == "/rooms.json" && recorded.Method == HttpMethod.Get);
        Assert.Equal(("Bearer owner", 200), (request.Authorization, request.Status));
        Assert.Contains($"ns={scope.Namespace}", request.Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_stream_yields_keep_alives_and_outlives_every_timeout_of_the_calls()
    {
        using var scope = fixture.CreateClient(services =>
        {
            // What AuthApp.ServiceDefaults puts on every HttpClient, with timeouts a stream outlives in a test's time.
            services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler(options =>
            {
                options.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(500);
                options.TotalRequestTimeout.Timeout = TimeSpan.FromMilliseconds(500);
            }));
            services.Configure<FirebaseOptions>(options => (options.AttemptTimeout, options.TotalTimeout) = (TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)));
        });
        await using var events = scope.Database.ListenAsync("quiet", 1024, Ct).GetAsyncEnumerator(Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "null");
        var open = Stopwatch.StartNew();

        var keepAlives = 0;
        while (open.Elapsed < TimeSpan.FromSeconds(2.5))
        {
            Assert.Equal(new DatabaseStreamEvent(DatabaseStreamEventKind.KeepAlive, "/", null), await NextAsync(events));
            keepAlives++;
        }

        Assert.True(keepAlives >= 2, $"{keepAlives} keep-alives");
        await scope.Database.SetAsync("quiet", 1, Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "1");
    }

    [Fact]
    public async Task An_event_larger_than_the_bound_fails_as_too_large()
    {
        using var scope = fixture.CreateClient();
        await using var events = scope.Database.ListenAsync("notes", 1024, Ct).GetAsyncEnumerator(Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "null");

        await scope.Database.SetAsync("notes/n1", new string('x', 2000), Ct);

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => NextChangeAsync(events));
        Assert.Equal(DatabaseErrorKind.ResponseTooLarge, failure.Kind);
    }

    [Fact]
    public async Task A_location_larger_than_the_bound_fails_at_its_first_event()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("notes", new JsonObject { ["a"] = new string('x', 64 * 1024) }, Ct);

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => FirstAsync(scope.Database.ListenAsync("notes", 32 * 1024, Ct)));

        Assert.Equal(DatabaseErrorKind.ResponseTooLarge, failure.Kind);
    }

    [Fact]
    public async Task Rules_that_stop_allowing_the_read_end_the_stream_with_permission_denied_and_without_the_change()
    {
        using var scope = fixture.CreateClient(services => services.Replace(ServiceDescriptor.Singleton<IFirebaseAccessTokenProvider>(UserToken.For("alice"))));
        await fixture.UseRulesAsync(scope.Namespace, """{"rules": {"rooms": {"$room": {".read": "data.child('shared').val() === true"}}}}""");
        await fixture.WriteAsync(scope.Namespace, "rooms/r1", JsonNode.Parse("""{"shared": true, "lamp": "off"}"""));
        await using var events = scope.Database.ListenAsync("rooms/r1", 1024, Ct).GetAsyncEnumerator(Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", """{"lamp":"off","shared":true}""");

        await fixture.WriteAsync(scope.Namespace, "rooms/r1", JsonNode.Parse("""{"shared": false, "lamp": "secret"}"""));

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => NextChangeAsync(events));
        Assert.Equal((DatabaseErrorKind.PermissionDenied, "Permission denied"), (failure.Kind, failure.ServerError));
    }

    [Fact]
    public async Task A_listen_the_rules_refuse_fails_before_the_stream_as_a_read_does()
    {
        using var scope = fixture.CreateClient(services => services.Replace(ServiceDescriptor.Singleton<IFirebaseAccessTokenProvider>(UserToken.For("alice"))));
        await fixture.UseRulesAsync(scope.Namespace, """{"rules": {"users": {"$uid": {".read": "auth.uid === $uid"}}}}""");

        var listen = await Assert.ThrowsAsync<DatabaseException>(() => FirstAsync(scope.Database.ListenAsync("users/bob", 1024, Ct)));
        var read = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users/bob", cancellationToken: Ct));

        Assert.Equal(DatabaseErrorKind.PermissionDenied, listen.Kind);
        Assert.Equal((read.Kind, read.StatusCode), (listen.Kind, listen.StatusCode));
    }

    [Fact]
    public async Task An_expired_credential_ends_the_stream_asking_for_a_fresh_one()
    {
        var token = UserToken.For("alice", lifetime: TimeSpan.FromSeconds(3));
        using var scope = fixture.CreateClient(services => services.Replace(ServiceDescriptor.Singleton<IFirebaseAccessTokenProvider>(token)));
        await fixture.UseRulesAsync(scope.Namespace, """{"rules": {".read": "auth != null"}}""");
        await using var events = scope.Database.ListenAsync("rooms", 1024, Ct).GetAsyncEnumerator(Ct);
        await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "null");

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => NextChangeAsync(events));

        Assert.Equal(DatabaseErrorKind.CredentialExpired, failure.Kind);
    }

    [Fact]
    public async Task A_server_going_away_ends_the_stream_as_unavailable()
    {
        var emulator = await DatabaseEmulatorFixture.StartAsync();
        try
        {
            using var scope = DatabaseClientScope.Create(DatabaseEmulatorFixture.HostOf(emulator), DatabaseEmulatorFixture.NewNamespace());
            await using var events = scope.Database.ListenAsync("rooms", 1024, Ct).GetAsyncEnumerator(Ct);
            await ExpectAsync(events, DatabaseStreamEventKind.Put, "/", "null");

            using (var now = new CancellationTokenSource())
            {
                // Stopping at once aborts the open requests, as a crashed or restarted server's connections end.
                await now.CancelAsync();
                await emulator.StopAsync(now.Token);
            }

            var failure = await Assert.ThrowsAsync<DatabaseException>(() => NextChangeAsync(events));
            Assert.Equal(DatabaseErrorKind.Unavailable, failure.Kind);
        }
        finally
        {
            await emulator.DisposeAsync();
        }
    }

    internal static async Task<DatabaseStreamEvent> FirstAsync(IAsyncEnumerable<DatabaseStreamEvent> stream)
    {
        await using var events = stream.GetAsyncEnumerator(Ct);
        return await NextAsync(events);
    }

    /// <summary>The next event, within the deadline (an enumerator's MoveNextAsync has no cancellation of its own).</summary>
    internal static async Task<DatabaseStreamEvent> NextAsync(IAsyncEnumerator<DatabaseStreamEvent> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Deadline, Ct), "the stream ended");
        return events.Current;
    }

    /// <summary>The next put or patch: keep-alives come any time in these tests and are passed over.</summary>
    private static async Task<DatabaseStreamEvent> NextChangeAsync(IAsyncEnumerator<DatabaseStreamEvent> events)
    {
        DatabaseStreamEvent next;
        do
        {
            next = await NextAsync(events);
        }
        while (next.Kind == DatabaseStreamEventKind.KeepAlive);

        return next;
    }

    private static async Task ExpectAsync(IAsyncEnumerator<DatabaseStreamEvent> events, DatabaseStreamEventKind kind, string path, string data)
    {
        var next = await NextChangeAsync(events);
        Assert.Equal($"{kind} {path} {data}", $"{next.Kind} {next.Path} {next.Data?.ToJsonString() ?? "null"}");
        Assert.Null(next.Data?.Parent);
    }

    /// <summary>A user's ID token as the Auth emulator issues them (unsigned), in place of the service's credential.</summary>
    private sealed class UserToken(string token) : IFirebaseAccessTokenProvider
    {
        public static UserToken For(string uid, TimeSpan? lifetime = null) =>
            new(IdTokens.Unsigned(IdTokens.EmulatorClaims(uid, TimeProvider.System.GetUtcNow(), lifetime)));

        public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult(token);
    }
}
