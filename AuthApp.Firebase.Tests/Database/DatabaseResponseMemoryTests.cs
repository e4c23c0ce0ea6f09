using AuthApp.Firebase.Database;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>Measures allocations of the whole process, so nothing else may run meanwhile.</summary>
[CollectionDefinition(nameof(DatabaseResponseMemoryTests), DisableParallelization = true)]
public sealed class DatabaseResponseMemoryCollection;

/// <summary>
/// What a huge answer costs the process that reads it: bytes allocated by the whole process
/// (<see cref="GC.GetTotalAllocatedBytes"/>) during the read. The scripted server sends a body built before the
/// measurement, 64 KiB at a time, so what is counted is the client's work; a plain whole read of the same answer,
/// after it, is the control that shows the measurement sees buffering when there is some.
/// </summary>
[Collection(nameof(DatabaseResponseMemoryTests))]
public sealed class DatabaseResponseMemoryTests
{
    private const int MiB = 1 << 20;

    /// <summary>The client's own buffers (a 1 MiB ceiling, a 64 KiB window) plus HTTP and logging overhead.</summary>
    private const long AFewMegabytes = 8 * MiB;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Refusing_a_50_MB_answer_over_a_1_MB_ceiling_allocates_a_few_MB_not_50(bool declareLength)
    {
        var body = new JsonBody().Child("alice", "1").BigChild("bob", 50 * MiB).End();
        await using var server = await ServeAsync(body, declareLength);
        using var scope = server.CreateClient(options => options.MaxResponseBytes = MiB);
        using var plain = new HttpClient { BaseAddress = server.BaseAddress };
        await WarmUpAsync(scope.Database, plain);

        var refused = await AllocatedDuringAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<DatabaseException>(() => scope.Database.GetAsync("users", cancellationToken: Ct).WaitAsync(Deadline, Ct));
            Assert.Equal(DatabaseErrorKind.ResponseTooLarge, error.Kind);
        });
        var whole = await AllocatedDuringAsync(() => plain.GetByteArrayAsync("/users.json", Ct));

        Report($"GetAsync of {body.Length:N0} bytes ({(declareLength ? "Content-Length" : "chunked")}), 1 MiB ceiling", refused, whole);
        Assert.True(whole >= body.Length, $"the control read allocated only {whole:N0} bytes");
        Assert.InRange(refused, 0, AFewMegabytes);
    }

    [Fact]
    public async Task Streaming_a_page_around_a_50_MB_child_allocates_a_few_MB_and_keeps_its_neighbours()
    {
        var body = new JsonBody().Child("alice", """{"name":"A"}""").BigChild("bob", 50 * MiB).Child("carol", """{"name":"C"}""").End();
        await using var server = await ServeAsync(body, declareLength: true);
        using var scope = server.CreateClient();
        using var plain = new HttpClient { BaseAddress = server.BaseAddress };
        await WarmUpAsync(scope.Database, plain);
        List<DatabaseChild> children = [];

        var streamed = await AllocatedDuringAsync(async () =>
            children = await DatabaseResponseCeilingTests.DrainAsync(scope.Database.GetChildrenAsync("users", null, MiB, Ct)).WaitAsync(Deadline, Ct));
        var whole = await AllocatedDuringAsync(() => plain.GetByteArrayAsync("/users.json", Ct));

        Report($"GetChildrenAsync of {body.Length:N0} bytes, 1 MiB child bound", streamed, whole);
        Assert.Equal([("alice", false), ("bob", true), ("carol", false)], children.Select(child => (child.Key, child.TooLarge)));
        Assert.Equal("C", children[2].Value!["name"]!.GetValue<string>());
        Assert.True(whole >= body.Length, $"the control read allocated only {whole:N0} bytes");
        Assert.InRange(streamed, 0, AFewMegabytes);
    }

    /// <summary><c>/warm.json</c> answers a small object, every other path <paramref name="body"/>.</summary>
    private static Task<AnswerServer> ServeAsync(byte[] body, bool declareLength) =>
        AnswerServer.StartAsync((server, context) => context.Request.Path == "/warm.json"
            ? server.WriteAsync(context, """{"a":{"b":1}}"""u8.ToArray(), declareLength)
            : server.WriteAsync(context, body, declareLength));

    /// <summary>The same code paths once on a small answer, so that compiling them is not counted.</summary>
    private static async Task WarmUpAsync(IFirebaseDatabase database, HttpClient plain)
    {
        await database.GetAsync("warm", cancellationToken: Ct);
        await DatabaseResponseCeilingTests.DrainAsync(database.GetChildrenAsync("warm", null, MiB, Ct));
        await plain.GetByteArrayAsync("/warm.json", Ct);
    }

    private static async Task<long> AllocatedDuringAsync(Func<Task> read)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        await read();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    private static void Report(string what, long allocated, long wholeRead) =>
        TestContext.Current.TestOutputHelper?.WriteLine($"{what}: {allocated:N0} bytes allocated (a whole read: {wholeRead:N0})");
}
