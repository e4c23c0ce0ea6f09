using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>The one rule every Redis caller (queue, API, worker, readiness) asks whether Redis is away.</summary>
public sealed class RedisOutageTests
{
    public static TheoryData<Exception> Outages =>
    [
        new RedisConnectionException(ConnectionFailureType.SocketFailure, "socket closed"),
        new RedisTimeoutException("timeout awaiting response", CommandStatus.Sent),
        new RedisServerException("LOADING Redis is loading the dataset in memory"),
    ];

    [Theory]
    [MemberData(nameof(Outages))]
    public void A_lost_connection_a_timeout_and_a_refusing_server_are_outages(Exception exception) =>
        Assert.True(exception.IsRedisOutage());

    [Fact]
    public void A_timeout_from_anything_else_and_a_plain_failure_are_not()
    {
        Assert.False(new TimeoutException().IsRedisOutage());
        Assert.False(new InvalidOperationException().IsRedisOutage());
    }

    [Fact]
    public void A_cancellation_counts_only_when_the_caller_did_not_ask_for_it()
    {
        using var asked = new CancellationTokenSource();
        asked.Cancel();

        Assert.True(new OperationCanceledException().IsRedisOutageOrUnaskedCancellation(CancellationToken.None));
        Assert.False(new OperationCanceledException(asked.Token).IsRedisOutageOrUnaskedCancellation(asked.Token));
        Assert.False(new OperationCanceledException().IsRedisOutage());
    }
}
