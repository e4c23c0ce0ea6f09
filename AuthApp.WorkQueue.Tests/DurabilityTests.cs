using System.Net;
using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>Accepted work is not lost: not when many jobs wait, not to Redis losing its data under running consumers.</summary>
public abstract class DurabilityTests(IRedisTarget redis)
{
    private readonly string _stream = QueueHost.NewStreamName();
    private readonly JobRecorder _recorder = new();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task Unfinished_jobs_are_never_trimmed_however_many_wait()
    {
        using (var producer = await QueueHost.StartAsync(redis, _stream, _recorder, consumer: false))
        {
            await producer.Services.GetRequiredService<IWorkQueue>()
                .EnqueueManyAsync(Enumerable.Range(0, 1_500).Select(i => new EchoJob($"job{i}", "w")).ToList(), Cancellation);
            await producer.StopAsync(Cancellation);
        }

        Assert.Equal(1_500, await Db.StreamLengthAsync(_stream));

        using var consumer = await QueueHost.StartAsync(redis, _stream, _recorder);
        await Eventually.TrueAsync(() => _recorder.RunsByKey.Count == 1_500, "every job ran", TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync(_stream) == 0, "finished jobs leave the stream");
        Assert.All(_recorder.RunsByKey.Values, runs => Assert.Equal(1, runs));
        await consumer.StopAsync(Cancellation);
    }

    [Fact]
    public async Task An_idempotent_job_enqueued_again_while_still_queued_is_not_added_twice()
    {
        using var producer = await QueueHost.StartAsync(redis, _stream, _recorder, consumer: false);
        var queue = producer.Services.GetRequiredService<IWorkQueue>();

        var first = await queue.EnqueueAsync(new KeyedJob("push-1"), Cancellation);
        var again = await queue.EnqueueManyAsync([new KeyedJob("push-1"), new KeyedJob("push-2")], Cancellation);

        Assert.Equal(first, again[0]);
        Assert.Equal(2, await Db.StreamLengthAsync(_stream));
        await producer.StopAsync(Cancellation);
    }

    [Fact]
    public async Task Jobs_enqueued_in_one_call_are_each_delivered_once()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        var ids = await queue.EnqueueManyAsync(Enumerable.Range(0, 1_200).Select(i => new EchoJob($"many{i}", "m")).ToList(), Cancellation);

        Assert.Equal(1_200, ids.Distinct().Count());
        await Eventually.TrueAsync(() => _recorder.RunsByKey.Count == 1_200, "timed out waiting until every job ran", TimeSpan.FromSeconds(60));
        Assert.All(_recorder.RunsByKey.Values, runs => Assert.Equal(1, runs));
        await host.StopAsync(Cancellation);
    }

    [Fact]
    public async Task A_dead_lettered_idempotent_job_can_be_enqueued_and_run_again()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        await queue.EnqueueAsync(new RejectedKeyedJob("cleanup-7"), Cancellation);
        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync($"{{{_stream}}}:dead") == 1, "timed out waiting until the job was dead-lettered");
        await queue.EnqueueAsync(new RejectedKeyedJob("cleanup-7"), Cancellation);

        await Eventually.TrueAsync(() => _recorder.Count("cleanup-7") == 2, "timed out waiting until the job ran again");
        await host.StopAsync(Cancellation);
    }
}

public sealed class DurabilityTestsOnSingleNode(RedisServerFixture redis) : DurabilityTests(redis);

public sealed class DurabilityTestsOnCluster(RedisClusterFixture redis) : DurabilityTests(redis);
