using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// The client against a running database: the local emulator by default, the official one when
/// FIREBASE_DATABASE_EMULATOR_HOST is set. Each test works in its own namespace.
/// </summary>
public sealed class DatabaseClientContractTests(ContractDatabase fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_of_a_missing_path_returns_null()
    {
        using var scope = fixture.CreateClient();

        Assert.Null(await scope.Database.GetAsync("nothing/here", cancellationToken: Ct));
    }

    [Fact]
    public async Task Set_replaces_the_whole_location()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("venue", new JsonObject { ["lamp"] = "on", ["fan"] = "3" }, Ct);

        await scope.Database.SetAsync("venue", new JsonObject { ["lamp"] = "off" }, Ct);

        AssertJson("""{"lamp":"off"}""", await scope.Database.GetAsync("venue", cancellationToken: Ct));
    }

    [Fact]
    public async Task Update_merges_children_and_keeps_siblings()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("venue", new JsonObject { ["lamp"] = "on", ["fan"] = "3" }, Ct);

        await scope.Database.UpdateAsync("venue", new Dictionary<string, JsonNode?> { ["lamp"] = "off", ["heater"] = "1" }, Ct);

        AssertJson("""{"fan":"3","heater":"1","lamp":"off"}""", await scope.Database.GetAsync("venue", cancellationToken: Ct));
    }

    [Fact]
    public async Task Multi_path_update_writes_deep_paths_and_null_deletes()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("users/u1", JsonNode.Parse("""{"name":"A","venues":{"kitchen":{"lamp":"on"}},"fcmToken":"t"}"""), Ct);

        await scope.Database.UpdateAsync("users/u1", new Dictionary<string, JsonNode?>
        {
            ["venues/kitchen/lamp"] = "off",
            ["venues/hall/fan"] = "2",
            ["fcmToken"] = null,
        }, Ct);

        AssertJson(
            """{"name":"A","venues":{"hall":{"fan":"2"},"kitchen":{"lamp":"off"}}}""",
            await scope.Database.GetAsync("users/u1", cancellationToken: Ct));
    }

    [Fact]
    public async Task Delete_removes_the_value_and_empty_parents_vanish()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("a/b/c", "x", Ct);
        await scope.Database.SetAsync("a/keep", true, Ct);

        await scope.Database.DeleteAsync("a/b/c", Ct);
        await scope.Database.DeleteAsync("never/existed", Ct);

        AssertJson("""{"keep":true}""", await scope.Database.GetAsync("a", cancellationToken: Ct));
        Assert.Null(await scope.Database.GetAsync("a/b", cancellationToken: Ct));
    }

    [Fact]
    public async Task Empty_objects_and_nulls_vanish_on_write()
    {
        using var scope = fixture.CreateClient();

        await scope.Database.SetAsync("venue", JsonNode.Parse("""{"lamp":"on","empty":{},"gone":null,"nested":{"deeper":{}}}"""), Ct);
        await scope.Database.SetAsync("only-empty", new JsonObject(), Ct);

        AssertJson("""{"lamp":"on"}""", await scope.Database.GetAsync("venue", cancellationToken: Ct));
        Assert.Null(await scope.Database.GetAsync("only-empty", cancellationToken: Ct));
        Assert.Null(await scope.Database.GetShallowAsync("venue/empty", Ct));
    }

    [Fact]
    public async Task Arrays_come_back_as_arrays_and_sparse_ones_as_objects()
    {
        using var scope = fixture.CreateClient();

        await scope.Database.SetAsync("dense", JsonNode.Parse("""["a","b",null,"d"]"""), Ct);
        await scope.Database.SetAsync("sparse", JsonNode.Parse("""{"0":"a","7":"b"}"""), Ct);

        AssertJson("""["a","b",null,"d"]""", await scope.Database.GetAsync("dense", cancellationToken: Ct));
        AssertJson("""{"0":"a","7":"b"}""", await scope.Database.GetAsync("sparse", cancellationToken: Ct));
        Assert.Equal("b", (await scope.Database.GetAsync("dense/1", cancellationToken: Ct))!.GetValue<string>());
    }

    [Fact]
    public async Task OrderByChild_equalTo_finds_a_user_by_email()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("users", JsonNode.Parse("""
            {"u1":{"email":"a@example.com","name":"A"},"u2":{"email":"b@example.com","name":"B"},"u3":{"name":"no email"}}
            """), Ct);

        var found = await scope.Database.GetAsync("users", DatabaseQuery.OrderByChild("email") with { EqualTo = "b@example.com" }, Ct);
        var none = await scope.Database.GetAsync("users", DatabaseQuery.OrderByChild("email") with { EqualTo = "zz@example.com" }, Ct);

        AssertJson("""{"u2":{"email":"b@example.com","name":"B"}}""", found);
        Assert.True(none is null || none is JsonObject { Count: 0 });
    }

    [Fact]
    public async Task OrderByChild_ranges_and_limits_follow_value_order_and_nested_paths()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("items", JsonNode.Parse("""
            {"a":{"price":30,"meta":{"rank":2}},"b":{"price":10,"meta":{"rank":3}},"c":{"price":20,"meta":{"rank":1}},"d":{"price":"free"},"e":{"price":true}}
            """), Ct);

        var between = await scope.Database.GetAsync("items", DatabaseQuery.OrderByChild("price") with { StartAt = 15, EndAt = 30 }, Ct);
        var cheapest = await scope.Database.GetAsync("items", DatabaseQuery.OrderByChild("price") with { StartAt = 0, LimitToFirst = 1 }, Ct);
        var highestRanks = await scope.Database.GetAsync("items", DatabaseQuery.OrderByChild("meta/rank") with { LimitToLast = 2 }, Ct);
        var strings = await scope.Database.GetAsync("items", DatabaseQuery.OrderByChild("price") with { StartAt = "a" }, Ct);

        Assert.Equal(["a", "c"], Keys(between));
        Assert.Equal(["b"], Keys(cheapest));
        Assert.Equal(["a", "b"], Keys(highestRanks));
        Assert.Equal(["d"], Keys(strings));
    }

    [Fact]
    public async Task OrderByKey_ranges_and_limits_select_by_key()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("schedule-index", JsonNode.Parse("""
            {"202601010700":{"x":true},"202601010701":{"x":true},"202601010702":{"x":true},"202601010800":{"x":true}}
            """), Ct);

        var due = await scope.Database.GetAsync("schedule-index", DatabaseQuery.OrderByKey() with { StartAt = "202601010700", EndAt = "202601010701" }, Ct);
        var last = await scope.Database.GetAsync("schedule-index", DatabaseQuery.OrderByKey() with { LimitToLast = 1 }, Ct);
        var exact = await scope.Database.GetAsync("schedule-index", DatabaseQuery.OrderByKey() with { EqualTo = "202601010702" }, Ct);

        Assert.Equal(["202601010700", "202601010701"], Keys(due));
        Assert.Equal(["202601010800"], Keys(last));
        Assert.Equal(["202601010702"], Keys(exact));
    }

    [Fact]
    public async Task OrderByValue_orders_leaves_and_limitToLast_takes_the_highest()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("scores", JsonNode.Parse("""{"ann":7,"bob":42,"cid":13,"dan":false}"""), Ct);

        var top = await scope.Database.GetAsync("scores", DatabaseQuery.OrderByValue() with { LimitToLast = 2 }, Ct);
        var atLeastTen = await scope.Database.GetAsync("scores", DatabaseQuery.OrderByValue() with { StartAt = 10 }, Ct);

        AssertJson("""{"bob":42,"cid":13}""", top);
        AssertJson("""{"bob":42,"cid":13}""", atLeastTen);
    }

    [Fact]
    public async Task Queries_that_rtdb_refuses_fail_before_any_request()
    {
        using var scope = fixture.CreateClient();

        await Assert.ThrowsAsync<ArgumentException>(() =>
            scope.Database.GetAsync("items", DatabaseQuery.OrderByKey() with { LimitToFirst = 1, LimitToLast = 1 }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            scope.Database.GetAsync("items", DatabaseQuery.OrderByKey() with { StartAt = 5 }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() =>
            scope.Database.GetAsync("items", DatabaseQuery.OrderByChild("price") with { LimitToFirst = 0 }, Ct));
        Assert.Equal(0, scope.Requests.Count);
    }

    [Fact]
    public async Task Shallow_read_turns_objects_into_true_and_keeps_leaves()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("users/u1", JsonNode.Parse("""{"name":"A","venues":{"kitchen":{"lamp":"on"}},"verifiedAccess":true}"""), Ct);
        await scope.Database.SetAsync("users/u2/name", "B", Ct);

        AssertJson("""{"name":"A","venues":true,"verifiedAccess":true}""", await scope.Database.GetShallowAsync("users/u1", Ct));
        AssertJson("""{"u1":true,"u2":true}""", await scope.Database.GetShallowAsync("users", Ct));
        Assert.Null(await scope.Database.GetShallowAsync("nobody", Ct));
    }

    [Fact]
    public async Task Writes_ask_for_print_silent_and_get_204()
    {
        using var scope = fixture.CreateClient();

        await scope.Database.SetAsync("x", 1, Ct);
        await scope.Database.UpdateAsync("y", new Dictionary<string, JsonNode?> { ["z"] = 2 }, Ct);
        await scope.Database.DeleteAsync("x", Ct);

        Assert.All(scope.Requests.All, request =>
        {
            Assert.Contains("print=silent", request.Uri.Query, StringComparison.Ordinal);
            Assert.Equal(204, request.Status);
        });
    }

    [Fact]
    public async Task Conditional_set_with_a_stale_etag_fails_with_the_current_value_and_etag()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("counter", 1, Ct);
        var first = await scope.Database.GetWithETagAsync("counter", Ct);
        await scope.Database.SetAsync("counter", 2, Ct);

        var stale = await scope.Database.SetIfMatchAsync("counter", 10, first.ETag, Ct);
        var current = await scope.Database.GetWithETagAsync("counter", Ct);
        var fresh = await scope.Database.SetIfMatchAsync("counter", 3, stale.CurrentETag!, Ct);

        Assert.False(stale.Succeeded);
        Assert.Equal(2, stale.CurrentValue!.GetValue<int>());
        Assert.Equal(current.ETag, stale.CurrentETag);
        Assert.NotEqual(first.ETag, current.ETag);
        Assert.True(fresh.Succeeded);
        Assert.Equal(3, (await scope.Database.GetAsync("counter", cancellationToken: Ct))!.GetValue<int>());
    }

    [Fact]
    public async Task Null_etag_creates_only_when_the_location_is_empty()
    {
        using var scope = fixture.CreateClient();

        var empty = await scope.Database.GetWithETagAsync("license", Ct);
        var created = await scope.Database.SetIfMatchAsync("license", "used-by-u1", FirebaseDatabaseClient.NullETag, Ct);
        var second = await scope.Database.SetIfMatchAsync("license", "used-by-u2", FirebaseDatabaseClient.NullETag, Ct);

        Assert.Null(empty.Value);
        Assert.Equal(FirebaseDatabaseClient.NullETag, empty.ETag);
        Assert.True(created.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal("used-by-u1", second.CurrentValue!.GetValue<string>());
    }

    [Fact]
    public async Task Conditional_delete_only_deletes_the_version_that_was_read()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("token", "a", Ct);
        var read = await scope.Database.GetWithETagAsync("token", Ct);
        await scope.Database.SetAsync("token", "b", Ct);

        var refused = await scope.Database.DeleteIfMatchAsync("token", read.ETag, Ct);
        var accepted = await scope.Database.DeleteIfMatchAsync("token", refused.CurrentETag!, Ct);

        Assert.False(refused.Succeeded);
        Assert.True(accepted.Succeeded);
        Assert.Null(await scope.Database.GetAsync("token", cancellationToken: Ct));
    }

    [Fact]
    public async Task Transaction_retries_with_the_value_returned_by_the_412_when_a_concurrent_writer_wins()
    {
        using var scope = fixture.CreateClient();
        using var other = fixture.CreateClient(scope.Namespace);
        await scope.Database.SetAsync("counter", 1, Ct);
        var calls = new List<int?>();

        var committed = await scope.Database.TransactAsync("counter", current =>
        {
            calls.Add(current?.GetValue<int>());
            if (calls.Count == 1)
            {
                // Another writer sneaks in between our read and our write.
                other.Database.SetAsync("counter", 100, Ct).GetAwaiter().GetResult();
            }

            return (current?.GetValue<int>() ?? 0) + 1;
        }, cancellationToken: Ct);

        Assert.Equal([1, 100], calls);
        Assert.Equal(101, committed!.GetValue<int>());
        Assert.Equal(101, (await scope.Database.GetAsync("counter", cancellationToken: Ct))!.GetValue<int>());
        Assert.Contains(scope.Requests.All, r => r.Status == 412);
    }

    [Fact]
    public async Task Concurrent_transactions_lose_no_increment()
    {
        using var scope = fixture.CreateClient();
        var workers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await scope.Database.TransactAsync("counter", current => (current?.GetValue<int>() ?? 0) + 1, maxAttempts: 100, cancellationToken: Ct);
            }
        }, Ct));

        await Task.WhenAll(workers);

        Assert.Equal(40, (await scope.Database.GetAsync("counter", cancellationToken: Ct))!.GetValue<int>());
    }

    [Fact]
    public async Task Transaction_that_keeps_losing_gives_up_with_precondition_failed()
    {
        using var scope = fixture.CreateClient();
        using var other = fixture.CreateClient(scope.Namespace);
        var n = 0;

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.TransactAsync("hot", current =>
        {
            other.Database.SetAsync("hot", ++n, Ct).GetAwaiter().GetResult();
            return -1;
        }, maxAttempts: 3, cancellationToken: Ct));

        Assert.Equal(DatabaseErrorKind.PreconditionFailed, error.Kind);
        Assert.Equal(3, n);
    }

    [Fact]
    public async Task Server_timestamp_is_replaced_by_the_server_clock_in_milliseconds()
    {
        using var scope = fixture.CreateClient();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await scope.Database.SetAsync("users/u1/lastSeen", ServerValue.Timestamp(), Ct);
        await scope.Database.UpdateAsync("licenseKeys/K1", new Dictionary<string, JsonNode?> { ["createdAt"] = ServerValue.Timestamp() }, Ct);

        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var stamp = (await scope.Database.GetAsync("users/u1/lastSeen", cancellationToken: Ct))!.GetValue<long>();
        var created = (await scope.Database.GetAsync("licenseKeys/K1/createdAt", cancellationToken: Ct))!.GetValue<long>();
        Assert.InRange(stamp, before - 5_000, after + 5_000);
        Assert.InRange(created, before - 5_000, after + 5_000);
    }

    [Fact]
    public async Task Server_increment_adds_to_the_stored_number()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("visits", 5, Ct);

        await scope.Database.SetAsync("visits", ServerValue.Increment(3), Ct);
        await scope.Database.UpdateAsync("", new Dictionary<string, JsonNode?> { ["fresh"] = ServerValue.Increment(2) }, Ct);

        Assert.Equal(8, (await scope.Database.GetAsync("visits", cancellationToken: Ct))!.GetValue<long>());
        Assert.Equal(2, (await scope.Database.GetAsync("fresh", cancellationToken: Ct))!.GetValue<long>());
    }

    public static TheoryData<string> InvalidPaths =>
    [
        "users/a.b", "users/a#b", "users/$uid", "users/a[0]", "users/b]", "users//x", "users/tab\there", "users/del\u007f",
        "users/" + new string('é', 385),
    ];

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public async Task Invalid_keys_are_refused_before_any_request_is_sent(string path)
    {
        using var scope = fixture.CreateClient();

        var get = await Assert.ThrowsAsync<DatabaseKeyException>(() => scope.Database.GetAsync(path, cancellationToken: Ct));
        await Assert.ThrowsAsync<DatabaseKeyException>(() => scope.Database.SetAsync(path, 1, Ct));
        await Assert.ThrowsAsync<DatabaseKeyException>(() => scope.Database.DeleteAsync(path, Ct));
        await Assert.ThrowsAsync<DatabaseKeyException>(() =>
            scope.Database.UpdateAsync("", new Dictionary<string, JsonNode?> { [path] = 1 }, Ct));

        Assert.Equal(path, get.InvalidPath);
        Assert.NotNull(get.Reason);
        Assert.Equal(0, scope.Requests.Count);
    }

    [Fact]
    public async Task Invalid_keys_inside_written_values_are_refused_before_any_request_is_sent()
    {
        using var scope = fixture.CreateClient();

        var error = await Assert.ThrowsAsync<DatabaseKeyException>(() =>
            scope.Database.SetAsync("users/u1", JsonNode.Parse("""{"venues":{"living.room":{"lamp":"on"}}}"""), Ct));

        Assert.Equal("living.room", error.Segment);
        Assert.Equal("/users/u1/venues/living.room", error.InvalidPath);
        Assert.Equal(0, scope.Requests.Count);
    }

    [Fact]
    public async Task Index_not_defined_becomes_a_typed_error_with_the_path_and_the_missing_field()
    {
        Assert.SkipWhen(fixture.IsExternal, "The official emulator does not enforce .indexOn (it only logs a warning).");
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("users/u1/name", "A", Ct);

        var error = await Assert.ThrowsAsync<DatabaseException>(() =>
            scope.Database.GetAsync("users", DatabaseQuery.OrderByChild("name") with { EqualTo = "A" }, Ct));

        Assert.Equal(DatabaseErrorKind.IndexNotDefined, error.Kind);
        Assert.Equal("/users", error.IndexPath);
        Assert.Equal("name", error.IndexField);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task Namespaces_are_isolated_from_each_other()
    {
        using var first = fixture.CreateClient();
        using var second = fixture.CreateClient();

        await first.Database.SetAsync("users/u1/name", "first", Ct);

        Assert.Null(await second.Database.GetAsync("users/u1/name", cancellationToken: Ct));
        Assert.Contains($"ns={first.Namespace}", first.Requests.All[0].Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_large_payload_becomes_a_typed_error()
    {
        Assert.SkipWhen(fixture.IsExternal, "The official emulator's limit (256 MB) is too large to test quickly.");
        using var scope = fixture.CreateClient();

        var error = await Assert.ThrowsAsync<DatabaseException>(() =>
            scope.Database.SetAsync("blob", new string('x', (int)ContractDatabase.MaxRequestBytes + 10), Ct));

        Assert.Equal(DatabaseErrorKind.PayloadTooLarge, error.Kind);
    }

    [Fact]
    public async Task The_token_travels_in_the_authorization_header_and_never_in_the_url()
    {
        using var scope = fixture.CreateClient();

        await scope.Database.SetAsync("x", 1, Ct);
        await scope.Database.GetAsync("x", cancellationToken: Ct);
        await scope.Database.UpdateAsync("y", new Dictionary<string, JsonNode?> { ["z"] = 1 }, Ct);

        Assert.Equal(3, scope.Requests.Count);
        Assert.All(scope.Requests.All, request =>
        {
            Assert.Equal("Bearer owner", request.Authorization);
            Assert.DoesNotContain("auth=", request.Uri.Query, StringComparison.Ordinal);
            Assert.DoesNotContain("access_token", request.Uri.Query, StringComparison.Ordinal);
            Assert.DoesNotContain(OwnerTokenProvider.Token, request.Uri.ToString(), StringComparison.Ordinal);
        });
    }

    private static string[] Keys(JsonNode? node) => node is JsonObject obj ? [.. obj.Select(p => p.Key).Order(StringComparer.Ordinal)] : [];

    private static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"Expected {expected} but got {actual?.ToJsonString() ?? "null"}");
}
