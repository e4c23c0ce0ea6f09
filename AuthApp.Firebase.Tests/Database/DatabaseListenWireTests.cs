using System.Text;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Http;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// <see cref="IFirebaseDatabase.ListenAsync"/> against a scripted server (<see cref="AnswerServer"/>): what the emulator
/// never sends (malformed events, events of unknown types, an endless event, a clean end, silence before the headers)
/// and what the client does when it stops.
/// </summary>
public sealed class DatabaseListenWireTests
{
    private static readonly TimeSpan Deadline = Eventually.DefaultDeadline;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("event: put\ndata: not json\n\n")]
    [InlineData("event: put\ndata: {\"data\": 1}\n\n")]
    [InlineData("event: patch\ndata: {\"path\": 3, \"data\": 1}\n\n")]
    [InlineData("event: put\ndata: {\"path\": \"rel\", \"data\": 1}\n\n")]
    [InlineData("event: put\ndata: {\"path\": \"/\"}\n\n")]
    [InlineData("event: put\ndata: [\"/\", 1]\n\n")]
    [InlineData("event: put\ndata: {\"path\": \"/\", \"path\": \"/a\", \"data\": 1}\n\n")]
    [InlineData("event: put\ndata: {\"path\": \"/\", \"data\": {\"a\": 1, \"a\": 2}}\n\n")]
    [InlineData("event: put\ndata: {\"path\": \"/\", \"data\": \"\\ud800\"}\n\n")]
    public async Task A_malformed_event_fails_as_an_invalid_response(string malformed)
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, malformed, contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct)));

        Assert.Equal(DatabaseErrorKind.InvalidResponse, failure.Kind);
    }

    [Fact]
    public async Task Events_of_unknown_types_and_comments_are_passed_over()
    {
        const string events = ": a comment\n\nevent: rules_changed\ndata: {}\n\ndata: a message without a type\n\nretry: 10\nid: 7\n\n"
                              + "event: put\r\ndata: {\"path\": \"/a\",\r\ndata:  \"data\": 1}\r\n\r\n";
        await using var server = await AnswerServer.StartAsync((s, context) => s.DripAsync(context, events, contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();

        var first = await DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct));

        Assert.Equal((DatabaseStreamEventKind.Put, "/a", "1"), (first.Kind, first.Path, first.Data!.ToJsonString()));
    }

    [Fact]
    public async Task An_endless_event_fails_as_too_large_after_reading_little_more_than_the_bound()
    {
        var endless = Encoding.UTF8.GetBytes("event: put\ndata: {\"path\": \"/\", \"data\": \"" + new string('x', 32 << 20));
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, endless, contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 64 * 1024, Ct)));

        Assert.Equal(DatabaseErrorKind.ResponseTooLarge, failure.Kind);
        await server.Finished.WaitAsync(Deadline, Ct);
        Assert.True(server.BytesReceived < 1 << 20, $"the client read {server.BytesReceived} of {endless.Length} bytes");
    }

    [Fact]
    public async Task The_server_ending_the_stream_fails_as_unavailable()
    {
        var one = Encoding.UTF8.GetBytes("event: put\ndata: {\"path\": \"/\", \"data\": null}\n\n");
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, one, contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();
        await using var events = scope.Database.ListenAsync("rooms", 1024, Ct).GetAsyncEnumerator(Ct);

        Assert.Equal(new DatabaseStreamEvent(DatabaseStreamEventKind.Put, "/", null), await DatabaseListenTests.NextAsync(events));
        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.NextAsync(events));

        Assert.Equal(DatabaseErrorKind.Unavailable, failure.Kind);
    }

    [Fact]
    public async Task A_server_error_before_the_stream_fails_as_a_read_does_and_is_not_retried()
    {
        var calls = 0;
        await using var server = await AnswerServer.StartAsync((s, context) =>
        {
            Interlocked.Increment(ref calls);
            return s.WriteAsync(context, """{"error": "overloaded"}"""u8.ToArray(), status: StatusCodes.Status503ServiceUnavailable);
        });
        using var scope = server.CreateClient();

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct)));

        Assert.Equal((DatabaseErrorKind.Unavailable, "overloaded", 1), (failure.Kind, failure.ServerError, Volatile.Read(ref calls)));
    }

    [Fact]
    public async Task An_answer_that_is_not_an_event_stream_fails_as_an_invalid_response()
    {
        await using var server = await AnswerServer.StartAsync((s, context) => s.WriteAsync(context, """{"a": 1}"""u8.ToArray()));
        using var scope = server.CreateClient();

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct)));

        Assert.Equal(DatabaseErrorKind.InvalidResponse, failure.Kind);
    }

    [Fact]
    public async Task Headers_that_do_not_come_in_time_fail_as_unavailable()
    {
        await using var server = await AnswerServer.StartAsync((_, context) => Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted));
        using var scope = server.CreateClient(options => options.TotalTimeout = TimeSpan.FromMilliseconds(300));

        var failure = await Assert.ThrowsAsync<DatabaseException>(() => DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct)).WaitAsync(Deadline, Ct));

        Assert.Equal(DatabaseErrorKind.Unavailable, failure.Kind);
    }

    [Fact]
    public async Task Cancelling_a_waiting_listen_stops_it_and_hangs_up()
    {
        await using var server = await AnswerServer.StartAsync((s, context) =>
            s.DripAsync(context, "event: put\ndata: {\"path\": \"/\", \"data\": 1}\n\n", contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await using var events = scope.Database.ListenAsync("rooms", 1024, cancellation.Token).GetAsyncEnumerator(Ct);
        await DatabaseListenTests.NextAsync(events);

        var waiting = events.MoveNextAsync().AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Deadline, Ct));
        await server.Finished.WaitAsync(Deadline, Ct);
    }

    [Fact]
    public async Task Stopping_a_listen_early_hangs_up_at_once()
    {
        await using var server = await AnswerServer.StartAsync((s, context) =>
            s.DripAsync(context, "event: put\ndata: {\"path\": \"/\", \"data\": 1}\n\n", contentType: AnswerServer.EventStreamContentType));
        using var scope = server.CreateClient();

        Assert.Equal(DatabaseStreamEventKind.Put, (await DatabaseListenTests.FirstAsync(scope.Database.ListenAsync("rooms", 1024, Ct))).Kind);

        // Not drained: a drain would hold the connection for its two-second timeout.
        await server.Finished.WaitAsync(TimeSpan.FromSeconds(1.5), Ct);
    }
}
