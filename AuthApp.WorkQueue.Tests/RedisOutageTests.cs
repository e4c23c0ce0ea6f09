using AuthApp.Redis;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>The one rule every Redis caller (queue, API, worker, readiness) asks whether Redis is away.</summary>
public sealed class RedisOutageTests(RedisClusterFixture cluster)
{
    public static TheoryData<Exception> Outages =>
    [
        new RedisConnectionException(ConnectionFailureType.SocketFailure, "socket closed"),
        new RedisTimeoutException("timeout awaiting response", CommandStatus.Sent),
        new RedisServerException("LOADING Redis is loading the dataset in memory"),
        new RedisServerException("CLUSTERDOWN The cluster is down"),
        new RedisServerException("TRYAGAIN Multiple keys request during rehashing of slot"),
        new RedisServerException("MOVED 3999 127.0.0.1:6381"),
        new RedisConnectionException(ConnectionFailureType.UnableToConnect, "No connection is active/available to service this operation"),
        // A master killed and back as a replica before the client refreshed its slots (bench/Chaos, sign-in answered 500).
        new RedisCommandException("Command cannot be issued to a replica: UNLINK authapp:login:{0123}:failures:198.18.0.7"),
    ];

    [Theory]
    [MemberData(nameof(Outages))]
    public void A_lost_connection_a_timeout_a_refusing_server_and_a_cluster_in_failover_are_outages(Exception exception) =>
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

    [Fact]
    public async Task Keys_of_several_cluster_slots_in_one_script_are_a_bug_not_an_outage()
    {
        var failure = await Record.ExceptionAsync(() => cluster.Connection.GetDatabase()
            .ScriptEvaluateAsync("return redis.call('MGET', KEYS[1], KEYS[2])", ["a", "b"]));

        Assert.IsType<RedisCommandException>(failure);
        Assert.False(failure.IsRedisOutage());
        Assert.False(new RedisCommandException("This operation has been disabled in the command-map and cannot be used: EVAL").IsRedisOutage());
    }
}
