using System.Text.Json;
using AuthApp.WorkQueue.Internal;
using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

public abstract class RecoveryTests(IRedisTarget redis)
{
    private const string Group = "authapp-workers";
    private readonly string _stream = QueueHost.NewStreamName();
    private readonly JobRecorder _recorder = new();

    private IDatabase Db => redis.Connection.GetDatabase();

    /// <summary>A replica that read the message and then died: it never acknowledges anything.</summary>
    private async Task<StreamEntry> CrashedConsumerTakesAsync(Func<IWorkQueue, Task<string>> enqueue)
    {
        await Db.StreamCreateConsumerGroupAsync(_stream, Group, "0-0", createStream: true);
        using (var producer = await QueueHost.StartAsync(redis, _stream, _recorder, consumer: false))
        {
            await enqueue(producer.Services.GetRequiredService<IWorkQueue>());
            await producer.StopAsync(TestContext.Current.CancellationToken);
        }
        var taken = await Db.StreamReadGroupAsync(_stream, Group, "crashed-replica", StreamPosition.NewMessages, 1);
        return Assert.Single(taken);
    }

    [Fact]
    public async Task Job_of_a_consumer_killed_mid_job_is_finished_by_another_after_min_idle()
    {
        await CrashedConsumerTakesAsync(queue => queue.EnqueueAsync(new EchoJob("orphan", "o"), TestContext.Current.CancellationToken));

        using var survivor = await QueueHost.StartAsync(redis, _stream, _recorder);

        await Eventually.TrueAsync(() => _recorder.Count("orphan|o") == 1, "timed out waiting until the survivor reclaimed and ran the job");
        await Eventually.TrueAsync(async () => (await Db.StreamPendingAsync(_stream, Group)).PendingMessageCount == 0, "timed out waiting until the job was acknowledged");
        // Acknowledged is final: nothing is left for a consumer to reclaim and run again.
        Assert.Equal(1, _recorder.Count("orphan|o"));
        await survivor.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Reclaimed_message_whose_job_already_completed_is_acknowledged_without_running_again()
    {
        string jobId = "";
        await CrashedConsumerTakesAsync(async queue => jobId = await queue.EnqueueAsync(new EchoJob("done-before", "d"), TestContext.Current.CancellationToken));
        // The crashed replica's handler had finished and marked the job done, but it died before XACK.
        await Db.StringSetAsync($"{{{_stream}}}:done:{jobId}", "1", TimeSpan.FromMinutes(5));

        using var survivor = await QueueHost.StartAsync(redis, _stream, _recorder);

        await Eventually.TrueAsync(async () => (await Db.StreamPendingAsync(_stream, Group)).PendingMessageCount == 0, "timed out waiting until the reclaimed duplicate was acknowledged");
        Assert.Equal(0, _recorder.Count("done-before|d"));
        Assert.Equal(0, await Db.StreamLengthAsync(_stream));
        await survivor.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Graceful_shutdown_leaves_unfinished_work_pending_for_another_replica()
    {
        using var stopping = await QueueHost.StartAsync(redis, _stream, _recorder, shutdownTimeout: TimeSpan.FromMilliseconds(300));
        await stopping.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new BlockingJob("in-flight"), TestContext.Current.CancellationToken);
        await _recorder.BlockingStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await stopping.StopAsync(TestContext.Current.CancellationToken);

        var pending = await Db.StreamPendingAsync(_stream, Group);
        Assert.Equal(1, pending.PendingMessageCount);
        Assert.Equal(0, await Db.StreamLengthAsync($"{{{_stream}}}:dead"));
        Assert.Equal(0, await Db.SortedSetLengthAsync($"{{{_stream}}}:delayed"));

        using var next = await QueueHost.StartAsync(redis, _stream, _recorder,
            handlers: services => services.AddJobHandler<BlockingJob, TestJobs.FinishingBlockingHandler>());

        await Eventually.TrueAsync(() => _recorder.Count("in-flight") == 1, "timed out waiting until the next replica finished the job");
        await Eventually.TrueAsync(async () => (await Db.StreamPendingAsync(_stream, Group)).PendingMessageCount == 0, "the finished job was never acknowledged");
        await next.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Graceful_shutdown_lets_an_in_flight_job_finish_within_the_timeout()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder, shutdownTimeout: TimeSpan.FromSeconds(5));
        await host.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new SlowJob("slow"), TestContext.Current.CancellationToken);
        await _recorder.BlockingStarted.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, _recorder.Count("slow"));
        Assert.Equal(0, (await Db.StreamPendingAsync(_stream, Group)).PendingMessageCount);
        Assert.Equal(0, await Db.StreamLengthAsync(_stream));
    }

    [Fact]
    public async Task Maintenance_outlives_an_unexpected_failure_and_still_promotes_retries_after_it()
    {
        // The promotion pass's second call fails three times with an exception that is no outage (a bug, a command a
        // cluster refuses); a loop that died of it would never promote the retry below.
        var failuresLeft = 3;
        var connection = FaultyConnection.Wrap(redis.Connection, method =>
            method == nameof(IDatabase.SortedSetRangeByRankWithScoresAsync) && Interlocked.Decrement(ref failuresLeft) >= 0
                ? new RedisCommandException("injected: a command the client refuses") : null);
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder, connection: connection);
        await Eventually.TrueAsync(() => Volatile.Read(ref failuresLeft) < 0, "the promotion pass never met the injected failures");

        var jobId = await host.Services.GetRequiredService<IWorkQueue>()
            .EnqueueAsync(new FlakyJob("after-failures", FailuresBeforeSuccess: 1), TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(async () => await Db.KeyExistsAsync($"{{{_stream}}}:done:{jobId}"), "the retry was never promoted after the loop's failures");
        var logs = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.Single(logs, log => log.Level == LogLevel.Warning && log.Message.Contains("failed unexpectedly", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, log => log.Level >= LogLevel.Error);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_retry_an_older_version_left_in_the_untagged_delayed_set_still_runs()
    {
        // Before the keys were tagged for Redis Cluster, retries waited in "<stream>:delayed": an upgrade must not strand them.
        var payload = JsonSerializer.Serialize(new EchoJob("legacy", "r"), RedisWorkQueue.JsonOptions);
        var retry = new JobMessage("legacy-retry", EchoJob.JobType, payload, 0, Attempt: 2, null, null);
        await Db.SortedSetAddAsync($"{_stream}:delayed", JsonSerializer.Serialize(retry.ToFlatArray()), 0);

        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);

        await Eventually.TrueAsync(async () => await Db.KeyExistsAsync($"{{{_stream}}}:done:legacy-retry"), "the retry left in the old delayed set never completed");
        Assert.Equal(2, Assert.Single(_recorder.Runs).Context.Attempt);
        Assert.Equal(0, await Db.SortedSetLengthAsync($"{_stream}:delayed"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}


public sealed class RecoveryTestsOnSingleNode(RedisServerFixture redis) : RecoveryTests(redis);

public sealed class RecoveryTestsOnCluster(RedisClusterFixture redis) : RecoveryTests(redis);
