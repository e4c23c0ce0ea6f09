using System.Net;
using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>
/// Accepted work survives Redis losing its data or going silent under running consumers. On the single server only:
/// these tests flush a database of their own and stall the one connection, which the shared cluster cannot offer.
/// </summary>
public sealed class RedisLossTests(RedisServerFixture redis)
{
    private readonly string _stream = QueueHost.NewStreamName();
    private readonly JobRecorder _recorder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_consumer_recreates_its_group_after_redis_lost_its_data_and_consumes_again()
    {
        // A database of its own: this test flushes it.
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},defaultDatabase=9,allowAdmin=true");
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder, connection: connection);
        var queue = host.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync(new EchoJob("before", "x"), Cancellation);
        await Eventually.TrueAsync(() => _recorder.Count("before|x") == 1, "timed out waiting until the first job ran");

        await connection.GetDatabase().ExecuteAsync("FLUSHDB");
        await queue.EnqueueAsync(new EchoJob("after", "y"), Cancellation);

        await Eventually.TrueAsync(() => _recorder.Count("after|y") == 1, "timed out waiting until the job enqueued after the loss ran");
        var logs = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.Single(logs, log => log.Message.Contains("was missing", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, log => log.Level >= LogLevel.Warning && log.Message.Contains("NOGROUP", StringComparison.Ordinal));
        await host.StopAsync(Cancellation);
    }

    [Fact]
    public async Task A_consumer_that_sees_redis_time_out_keeps_consuming_when_redis_answers_again()
    {
        // A Redis that is there but silent surfaces as RedisTimeoutException, which is not a RedisException:
        // the consumer must count it as an outage, not die of it.
        await using var link = new TcpProxy(new IPEndPoint(IPAddress.Loopback, redis.Port));
        await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{link.Port},asyncTimeout=250,syncTimeout=250");
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder, connection: connection);
        var logs = host.Services.GetRequiredService<FakeLogCollector>();
        using var producer = await QueueHost.StartAsync(redis, _stream, _recorder, consumer: false);
        var queue = producer.Services.GetRequiredService<IWorkQueue>();
        await queue.EnqueueAsync(new EchoJob("before-timeouts", "t"), Cancellation);
        await Eventually.TrueAsync(() => _recorder.Count("before-timeouts|t") == 1, "timed out waiting until the consumer was up and consuming");

        link.Stall();
        Assert.IsType<RedisTimeoutException>(await Record.ExceptionAsync(() => connection.GetDatabase().PingAsync()));
        await Eventually.TrueAsync(() => logs.GetSnapshot().Any(log => log.Message.StartsWith("Work queue: Redis call", StringComparison.Ordinal)), 
            () => "the consumer never noticed the outage: " + string.Join(" | ", logs.GetSnapshot().Select(log => log.Message)));
        link.Resume();

        await queue.EnqueueAsync(new EchoJob("after-timeouts", "t"), Cancellation);

        await Eventually.TrueAsync(() => _recorder.Count("after-timeouts|t") == 1, "timed out waiting until the same consumer ran a job enqueued after the timeouts");
        Assert.DoesNotContain(logs.GetSnapshot(), log => log.Level >= LogLevel.Error);
        await host.StopAsync(Cancellation);
    }
}
