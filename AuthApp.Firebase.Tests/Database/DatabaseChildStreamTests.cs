using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;
using CsCheck;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// <see cref="IFirebaseDatabase.GetChildrenAsync"/> and <see cref="IFirebaseDatabase.GetChildKeysStreamAsync"/>: a
/// location's children one at a time, an oversized child skipped while its neighbours come through.
/// </summary>
public sealed class DatabaseChildStreamTests(ContractDatabase fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_page_of_users_comes_through_whole_except_the_huge_user_in_the_middle()
    {
        using var scope = fixture.CreateClient();
        var alice = JsonNode.Parse("""{"name":"A","venues":{"kitchen":{"lamp":"on"}}}""");
        var carol = JsonNode.Parse("""{"name":"C","fcmToken":"t"}""");
        await scope.Database.SetAsync("users/alice", alice, Ct);
        for (var i = 0; i < 8; i++)
        {
            // 4 MB of sensors, written in pieces under the emulator's request limit.
            await scope.Database.SetAsync($"users/bob/sensors/s{i}", new string('x', 500_000), Ct);
        }

        await scope.Database.SetAsync("users/carol", carol, Ct);
        var page = DatabaseQuery.OrderByKey() with { StartAt = "a", LimitToFirst = 1000 };

        var children = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("users", page, 64 * 1024, Ct));

        Assert.Equal(["alice", "bob", "carol"], children.Select(child => child.Key));
        Assert.Equal(new DatabaseChild("bob", null, TooLarge: true), children[1]);
        Assert.False(children[0].TooLarge || children[2].TooLarge);
        Assert.True(JsonNode.DeepEquals(alice, children[0].Value));
        Assert.True(JsonNode.DeepEquals(carol, children[2].Value));
        Assert.Contains("orderBy=%22%24key%22", scope.Requests.All.Last().Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_array_shaped_collection_yields_index_keys_and_skips_its_gaps()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("devices", JsonNode.Parse("""["lamp", null, {"level": 3}, "fan"]"""), Ct);

        var children = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("devices", null, 1024, Ct));

        Assert.IsType<JsonArray>(await scope.Database.GetAsync("devices", cancellationToken: Ct));
        Assert.Equal(["0", "2", "3"], children.Select(child => child.Key));
        Assert.Equal("lamp", children[0].Value!.GetValue<string>());
        Assert.Equal(3, children[1].Value!["level"]!.GetValue<int>());
        Assert.Equal("fan", children[2].Value!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_or_primitive_location_has_no_children()
    {
        using var scope = fixture.CreateClient();
        await scope.Database.SetAsync("name", "A", Ct);

        Assert.Empty(await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("nothing", null, 1024, Ct)));
        Assert.Empty(await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("name", null, 1024, Ct)));
        Assert.Empty(await KeysAsync(scope.Database.GetChildKeysStreamAsync("nothing", Ct)));
        Assert.Empty(await KeysAsync(scope.Database.GetChildKeysStreamAsync("name", Ct)));
    }

    [Fact]
    public async Task The_key_stream_yields_every_key_of_a_large_collection_in_order()
    {
        using var scope = fixture.CreateClient();
        var uids = Enumerable.Range(0, 20_000).Select(i => $"uid{i:D6}").ToList();
        foreach (var batch in uids.Chunk(5_000))
        {
            await scope.Database.UpdateAsync("users", batch.ToDictionary(uid => $"{uid}/profile/name", _ => (JsonNode?)"x"), Ct);
        }

        var keys = await KeysAsync(scope.Database.GetChildKeysStreamAsync("users", Ct));

        Assert.Equal(uids, keys);
        Assert.Contains("shallow=true", scope.Requests.All.Last().Uri.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stopping_early_hangs_up_and_the_rest_is_never_sent()
    {
        var body = new JsonBody();
        for (var i = 0; i < 200_000; i++)
        {
            body.Child($"k{i:D6}", """{"v":"0123456789012345678901234567890123456789"}""");
        }

        var bytes = body.End();
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, bytes));
        using var scope = server.CreateClient();
        var seen = new List<string>();

        await foreach (var child in scope.Database.GetChildrenAsync("users", null, 1024, Ct))
        {
            seen.Add(child.Key);
            if (seen.Count == 3)
            {
                break;
            }
        }

        Assert.Equal(["k000000", "k000001", "k000002"], seen);
        await server.Finished.WaitAsync(Deadline, Ct);
        Assert.True(server.BytesReceived < bytes.Length / 2, $"the client read {server.BytesReceived} of {bytes.Length} bytes");
    }

    [Fact]
    public async Task Cancelling_mid_stream_stops_it()
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, """{"a":1,"b":2,"""));
        using var scope = server.CreateClient(options => options.TotalTimeout = TimeSpan.FromMinutes(1));
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var children = scope.Database.GetChildrenAsync("users", null, 1024, cancellation.Token).GetAsyncEnumerator(Ct);

        Assert.True(await children.MoveNextAsync());
        Assert.True(await children.MoveNextAsync());
        Assert.Equal("b", children.Current.Key);
        var third = children.MoveNextAsync().AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third.WaitAsync(Deadline, Ct));
        await server.Finished.WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task A_child_larger_than_the_token_cap_is_skipped_when_no_single_token_is()
    {
        var body = new JsonBody().Child("a", "1").BigChild("big", 3 << 20, pieceBytes: 100_000).Child("c", "2").End();
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, body));
        using var scope = server.CreateClient(options => options.MaxResponseBytes = 1 << 20);

        var children = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("users", null, 1 << 20, Ct));

        Assert.Equal([("a", false), ("big", true), ("c", false)], children.Select(child => (child.Key, child.TooLarge)));
        Assert.Equal(2, children[2].Value!.GetValue<int>());
    }

    [Fact]
    public async Task A_single_token_larger_than_the_cap_fails_as_too_large()
    {
        var body = new JsonBody().Child("a", "1").Child("b", $"\"{new string('x', 3 << 20)}\"").Child("c", "2").End();
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, body));
        using var scope = server.CreateClient(options => options.MaxResponseBytes = 1 << 20);
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<DatabaseException>(async () =>
        {
            await foreach (var child in scope.Database.GetChildrenAsync("users", null, 1024, Ct))
            {
                seen.Add(child.Key);
            }
        });

        Assert.Equal(["a"], seen);
        Assert.Equal((DatabaseErrorKind.ResponseTooLarge, "/users"), (error.Kind, error.Path));
        Assert.Contains("a single value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Arguments_are_checked_when_the_stream_is_asked_for_not_when_it_is_read()
    {
        using var scope = fixture.CreateClient();

        Assert.Throws<ArgumentOutOfRangeException>(() => scope.Database.GetChildrenAsync("users", null, -1, Ct));
        Assert.Throws<DatabaseKeyException>(() => scope.Database.GetChildrenAsync("users/a.b", null, 1024, Ct));
        Assert.Throws<DatabaseKeyException>(() => scope.Database.GetChildKeysStreamAsync("users/$uid", Ct));
        Assert.Equal(0, scope.Requests.Count);
    }

    [Fact]
    public async Task Streamed_children_are_what_a_whole_read_returns_and_too_large_exactly_beyond_the_bound()
    {
        using var scope = fixture.CreateClient();
        using var raw = new HttpClient { BaseAddress = new Uri($"http://{fixture.Host}") };
        raw.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OwnerTokenProvider.Token);
        var sample = 0;

        await Gen.Select(RandomJson.Tree(depth: 3), Gen.Int[0, 300]).SampleAsync(async (JsonObject tree, int bound) =>
        {
            var path = $"samples/s{Interlocked.Increment(ref sample)}";
            await scope.Database.SetAsync(path, tree, Ct);

            var whole = Children(await scope.Database.GetAsync(path, cancellationToken: Ct));
            var sizes = SizesOfChildren(await raw.GetByteArrayAsync($"/{path}.json?ns={scope.Namespace}", Ct));
            var large = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync(path, null, 1 << 20, Ct));

            Assert.Equal(whole.Select(child => child.Key), large.Select(child => child.Key));
            Assert.All(whole.Zip(large), pair => Assert.True(JsonNode.DeepEquals(pair.First.Value, pair.Second.Value), $"{pair.First.Key}: {pair.Second.Value?.ToJsonString()}"));

            // The random bound, and the edges around the first child's exact size.
            int[] limits = sizes.Count == 0 ? [bound] : [bound, sizes[0].Bytes - 1, sizes[0].Bytes];
            foreach (var limit in limits)
            {
                var small = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync(path, null, limit, Ct));
                Assert.Equal(sizes.Select(child => (child.Key, child.Bytes > limit)), small.Select(child => (child.Key, child.TooLarge)));
                Assert.All(whole.Zip(small).Where(pair => !pair.Second.TooLarge), pair => Assert.True(JsonNode.DeepEquals(pair.First.Value, pair.Second.Value)));
            }
        }, iter: 150, threads: 1);
    }

    /// <summary>A whole read's children by the same rules: an object's members, or an array's non-null items by index.</summary>
    private static List<(string Key, JsonNode? Value)> Children(JsonNode? node) => node switch
    {
        JsonObject obj => [.. obj.Where(member => member.Value is not null).Select(member => (member.Key, member.Value))],
        JsonArray array => [.. array.Select((item, i) => (Key: i.ToString(CultureInfo.InvariantCulture), Value: item)).Where(item => item.Value is not null)],
        _ => [],
    };

    /// <summary>The size of each child's JSON text exactly as the database sent it.</summary>
    private static List<(string Key, int Bytes)> SizesOfChildren(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return root.ValueKind switch
        {
            JsonValueKind.Object => [.. root.EnumerateObject().Where(member => member.Value.ValueKind != JsonValueKind.Null)
                .Select(member => (member.Name, JsonMarshal.GetRawUtf8Value(member.Value).Length))],
            JsonValueKind.Array => [.. root.EnumerateArray().Select((item, i) => (Key: i.ToString(CultureInfo.InvariantCulture), Item: item))
                .Where(item => item.Item.ValueKind != JsonValueKind.Null)
                .Select(item => (item.Key, JsonMarshal.GetRawUtf8Value(item.Item).Length))],
            _ => [],
        };
    }

    private static async Task<List<string>> KeysAsync(IAsyncEnumerable<string> keys)
    {
        var all = new List<string>();
        await foreach (var key in keys)
        {
            all.Add(key);
        }

        return all;
    }
}

/// <summary>
/// Random database trees: keys the database accepts, mixed leaves, and objects with integer keys 0..n (a few missing),
/// which the database serves as arrays.
/// </summary>
internal static class RandomJson
{
    private static readonly Gen<string> Key = Gen.OneOf("a", "b", "Z", "0", "1", "7", "-", "_", " ", "é", "漢", "😀").Array[1, 3].Select(string.Concat);

    private static readonly Gen<string> Text = Gen.OneOf("a", "Z", "0", " ", "\"", "\\", "\n", "\u0001", "é", "漢", "😀", "<", "&", "'")
        .Array[0, 12].Select(string.Concat);

    private static readonly Gen<JsonNode> Leaf = Gen.OneOf<JsonNode>(
        Text.Select(text => (JsonNode)JsonValue.Create(text)),
        Gen.Int[0, 2000].Select(length => (JsonNode)JsonValue.Create(new string('x', length))),
        Gen.Long[-1_000_000_000_000, 1_000_000_000_000].Select(number => (JsonNode)JsonValue.Create(number)),
        Gen.Double[-1e6, 1e6].Select(number => (JsonNode)JsonValue.Create(number)),
        Gen.Bool.Select(flag => (JsonNode)JsonValue.Create(flag)));

    /// <summary>What a location holds: an object, or one shaped like an array.</summary>
    public static Gen<JsonObject> Tree(int depth) => Gen.Frequency<JsonObject>((2, Object(depth)), (1, ArrayLike(depth)));

    private static Gen<JsonNode> Value(int depth) =>
        depth == 0 ? Leaf : Gen.Frequency<JsonNode>((4, Leaf), (1, Tree(depth - 1).Select(tree => (JsonNode)tree)));

    private static Gen<JsonObject> Object(int depth) =>
        Gen.Select(Key, Value(depth)).Array[0, 6].Select(members => Build(members));

    /// <summary>Keys 0, 1, 2 … stepping by 1 or 2, so that at most every other index is a gap.</summary>
    private static Gen<JsonObject> ArrayLike(int depth) =>
        Gen.Select(Gen.Int[1, 2], Value(depth)).Array[1, 6].Select(items =>
        {
            var index = -1;
            return Build(items.Select(item => ((index += item.Item1).ToString(CultureInfo.InvariantCulture), item.Item2)));
        });

    private static JsonObject Build(IEnumerable<(string Key, JsonNode Value)> members)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in members)
        {
            obj[key] = value.DeepClone();
        }

        return obj;
    }
}
