using System.Text;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// Every buffered answer is bounded: in size (<see cref="FirebaseOptions.MaxResponseBytes"/> or a per-call ceiling),
/// in time (a body that drips) and in shape (text that is not valid JSON). Against the emulator where it can play the
/// part, against a scripted server where only a misbehaving one can.
/// </summary>
public sealed class DatabaseResponseCeilingTests(ContractDatabase fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_read_above_the_ceiling_fails_as_too_large_and_names_the_path()
    {
        using var scope = fixture.CreateClient(configure: Ceiling(4096));
        await scope.Database.SetAsync("users/u1/blob", new string('x', 10_000), Ct);
        await scope.Database.SetAsync("users/u1/name", "A", Ct);

        var read = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users/u1", cancellationToken: Ct));
        var withETag = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetWithETagAsync("users/u1", Ct));

        Assert.Equal((DatabaseErrorKind.ResponseTooLarge, "/users/u1"), (read.Kind, read.Path));
        Assert.Equal(DatabaseErrorKind.ResponseTooLarge, withETag.Kind);
        Assert.Contains("4096 bytes", read.Message, StringComparison.Ordinal);
        Assert.Equal("A", (await scope.Database.GetAsync("users/u1/name", cancellationToken: Ct))!.GetValue<string>());
    }

    [Fact]
    public async Task A_per_call_ceiling_can_lower_the_configured_one_but_never_raise_it()
    {
        using var scope = fixture.CreateClient(configure: Ceiling(4096));
        var venue = new JsonObject();
        for (var i = 0; i < 100; i++)
        {
            venue[$"d{i:D3}"] = new JsonObject { ["name"] = new string('n', 50) };
        }

        await scope.Database.SetAsync("venue", venue, Ct); // ~7 KB whole, ~1.2 KB shallow

        var shallow = await scope.Database.GetShallowAsync("venue", 2000, Ct);
        var one = await scope.Database.GetAsync("venue/d001", null, 100, Ct);
        var shallowTooLarge = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetShallowAsync("venue", 500, Ct));
        var lowered = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("venue/d001", null, 20, Ct));
        var raised = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("venue", null, 1_000_000, Ct));

        Assert.Equal(100, shallow!.AsObject().Count);
        Assert.Equal(new string('n', 50), one!["name"]!.GetValue<string>());
        Assert.All([shallowTooLarge, lowered, raised], error => Assert.Equal(DatabaseErrorKind.ResponseTooLarge, error.Kind));
        Assert.Contains("4096 bytes", raised.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_current_value_a_412_returns_is_bounded_too()
    {
        using var scope = fixture.CreateClient(configure: Ceiling(4096));
        await scope.Database.SetAsync("doc", new string('x', 10_000), Ct);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetIfMatchAsync("doc", "y", FirebaseDatabaseClient.NullETag, Ct));

        using var unbounded = fixture.CreateClient(scope.Namespace);
        Assert.Equal((DatabaseErrorKind.ResponseTooLarge, "/doc"), (error.Kind, error.Path));
        Assert.Equal(10_000, (await unbounded.Database.GetAsync("doc", cancellationToken: Ct))!.GetValue<string>().Length);
    }

    [Fact]
    public async Task A_declared_length_above_the_ceiling_is_refused_before_any_of_the_body_arrives()
    {
        // The server claims 50 MB and sends nothing: only the Content-Length can have refused it, and at once
        // (reading would have waited the whole minute of TotalTimeout).
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, "", declaredLength: 50L << 20));
        using var scope = server.CreateClient(options => (options.MaxResponseBytes, options.TotalTimeout) = (1 << 20, TimeSpan.FromMinutes(1)));

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users", cancellationToken: Ct).WaitAsync(Deadline, Ct));

        Assert.Equal((DatabaseErrorKind.ResponseTooLarge, "/users"), (error.Kind, error.Path));
        await server.Finished.WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task An_undeclared_body_is_read_up_to_the_ceiling_and_the_rest_is_never_sent()
    {
        var body = new JsonBody().BigChild("u1", 8 << 20).End();
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, body));
        using var scope = server.CreateClient(options => options.MaxResponseBytes = 64 * 1024);

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users", cancellationToken: Ct).WaitAsync(Deadline, Ct));

        Assert.Equal(DatabaseErrorKind.ResponseTooLarge, error.Kind);
        await server.Finished.WaitAsync(Deadline, Ct);
        Assert.True(server.BytesReceived < body.Length / 2, $"the client read {server.BytesReceived} of {body.Length} bytes");
    }

    [Fact]
    public async Task A_body_that_drips_fails_as_unavailable_within_the_total_timeout()
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, """{"u1":{"name":"""));
        using var scope = server.CreateClient(options => options.TotalTimeout = TimeSpan.FromMilliseconds(500));

        var read = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users", cancellationToken: Ct).WaitAsync(Deadline, Ct));
        var streamed = await Assert.ThrowsAsync<DatabaseException>(() => DrainAsync(scope.Database.GetChildrenAsync("users", null, 1024, Ct)).WaitAsync(Deadline, Ct));

        Assert.Equal((DatabaseErrorKind.Unavailable, "/users"), (read.Kind, read.Path));
        Assert.Equal(DatabaseErrorKind.Unavailable, streamed.Kind);
        await server.Finished.WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task Cancelling_a_read_whose_body_drips_cancels_it()
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, """{"u1":"""));
        using var scope = server.CreateClient(options => options.TotalTimeout = TimeSpan.FromMinutes(1));
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var read = scope.Database.GetAsync("users", cancellationToken: cancellation.Token);
        await server.Dripping.WaitAsync(Deadline, Ct);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Deadline, Ct));
        await server.Finished.WaitAsync(Deadline, Ct);
    }

    public static TheoryData<string, byte[]> NotJsonText => new()
    {
        { "truncated", """{"a":1,"b":"""u8.ToArray() },
        { "a proxy's page", "<html>proxy</html>"u8.ToArray() },
        { "trailing garbage", """{"a":1} x"""u8.ToArray() },
        { "nested 65 deep", Encoding.UTF8.GetBytes("""{"a":""" + new string('[', 64) + new string(']', 64) + "}") },
        { "invalid UTF-8 in a string", [.. "{\"a\":\""u8, 0xff, .. "\"}"u8] },
        { "a lone surrogate in a string", """{"a":"\ud800"}"""u8.ToArray() },
        { "a lone surrogate in a key", """{"\udc00":1}"""u8.ToArray() },
        { "invalid UTF-8 in a nested key", [.. "{\"a\":{\""u8, 0xc3, .. "\":1}}"u8] },
    };

    [Theory]
    [MemberData(nameof(NotJsonText))]
    public async Task An_answer_that_is_not_valid_json_text_fails_as_invalid_response(string what, byte[] body)
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, body));
        using var scope = server.CreateClient();

        var read = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users", cancellationToken: Ct));
        var streamed = await Assert.ThrowsAsync<DatabaseException>(() => DrainAsync(scope.Database.GetChildrenAsync("users", null, 1 << 20, Ct)));

        Assert.True(read.Kind == DatabaseErrorKind.InvalidResponse, $"{what}: {read.Kind}");
        Assert.True(streamed.Kind == DatabaseErrorKind.InvalidResponse, $"{what} (streamed): {streamed.Kind}");
        Assert.Equal("/users", read.Path);
    }

    [Fact]
    public async Task Nesting_64_deep_is_still_accepted()
    {
        var body = Encoding.UTF8.GetBytes("""{"a":""" + new string('[', 63) + "1" + new string(']', 63) + "}");
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, body));
        using var scope = server.CreateClient();

        var read = await scope.Database.GetAsync("users", cancellationToken: Ct);
        var streamed = await DrainAsync(scope.Database.GetChildrenAsync("users", null, 1 << 20, Ct));

        Assert.IsType<JsonArray>(read!["a"]);
        Assert.Equal("a", Assert.Single(streamed).Key);
    }

    [Fact]
    public async Task An_error_with_a_huge_body_is_classified_by_its_status_without_reading_it_all()
    {
        var page = Encoding.UTF8.GetBytes("<html>" + new string('x', 8 << 20) + "</html>");
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, page, status: StatusCodes.Status400BadRequest));
        using var scope = server.CreateClient();

        var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.SetAsync("users/u1", 1, Ct).WaitAsync(Deadline, Ct));

        Assert.Equal(DatabaseErrorKind.InvalidData, error.Kind);
        Assert.Null(error.ServerError);
        await server.Finished.WaitAsync(Deadline, Ct);
        Assert.True(server.BytesReceived < page.Length / 2, $"the client read {server.BytesReceived} of {page.Length} bytes");
    }

    internal static async Task<List<DatabaseChild>> DrainAsync(IAsyncEnumerable<DatabaseChild> children)
    {
        var all = new List<DatabaseChild>();
        await foreach (var child in children)
        {
            all.Add(child);
        }

        return all;
    }

    private static Action<IServiceCollection> Ceiling(int bytes) => services => services.Configure<FirebaseOptions>(options => options.MaxResponseBytes = bytes);
}
