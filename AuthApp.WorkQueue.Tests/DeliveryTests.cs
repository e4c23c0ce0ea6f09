using System.Diagnostics;
using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AuthApp.WorkQueue.Tests;

public abstract class DeliveryTests(IRedisTarget redis)
{
    private readonly string _stream = QueueHost.NewStreamName();
    private readonly JobRecorder _recorder = new();

    [Fact]
    public async Task Enqueued_job_is_handled_once_with_its_payload()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        var jobId = await queue.EnqueueAsync(new EchoJob("a", "hello"), TestContext.Current.CancellationToken);

        // Acknowledged is final: no consumer can be handed the message again, so the count cannot change after this.
        await Eventually.TrueAsync(async () => _recorder.Count("a|hello") > 0 && await NothingPendingAsync(), "the job never ran and was acknowledged");
        Assert.Equal(1, _recorder.Count("a|hello"));
        var run = Assert.Single(_recorder.Runs);
        Assert.Equal(jobId, run.Context.JobId);
        Assert.Equal(EchoJob.JobType, run.Context.JobType);
        Assert.Equal(1, run.Context.Attempt);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Jobs_enqueued_before_any_consumer_started_are_delivered()
    {
        using (var producer = await QueueHost.StartAsync(redis, _stream, _recorder, consumer: false))
        {
            await producer.Services.GetRequiredService<IWorkQueue>().EnqueueAsync(new EchoJob("early", "x"), TestContext.Current.CancellationToken);
            await producer.StopAsync(TestContext.Current.CancellationToken);
        }

        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);

        await Eventually.TrueAsync(() => _recorder.Count("early|x") == 1, "timed out waiting until the early job ran");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Two_consumers_on_one_group_process_200_jobs_each_exactly_once()
    {
        var settings = new Dictionary<string, string?> { ["WorkQueue:MaxConcurrency"] = "4" };
        using var first = await QueueHost.StartAsync(redis, _stream, _recorder, settings: settings);
        using var second = await QueueHost.StartAsync(redis, _stream, _recorder, settings: settings);
        var queue = first.Services.GetRequiredService<IWorkQueue>();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => queue.EnqueueAsync(new EchoJob($"job{i}", "n"), TestContext.Current.CancellationToken)));

        await Eventually.TrueAsync(async () => _recorder.RunsByKey.Count == 200 && await NothingPendingAsync(), "timed out waiting until all 200 jobs ran and were acknowledged", TimeSpan.FromSeconds(20));
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(1, _recorder.Count($"job{i}|n")));
        Assert.Equal(200, _recorder.Runs.Count);
        await Task.WhenAll(first.StopAsync(TestContext.Current.CancellationToken), second.StopAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Job_with_an_idempotency_key_runs_once_when_enqueued_twice()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        var firstId = await queue.EnqueueAsync(new KeyedJob("delete-user-42"), TestContext.Current.CancellationToken);
        // The guarantee is about a completed job: its completion marker is written just after the handler returns.
        await Eventually.TrueAsync(async () => await redis.Connection.GetDatabase().KeyExistsAsync($"{{{_stream}}}:done:{firstId}"), "timed out waiting until the first run completed");
        var secondId = await queue.EnqueueAsync(new KeyedJob("delete-user-42"), TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(async () => await redis.Connection.GetDatabase().StreamLengthAsync(_stream) == 0, "timed out waiting until the duplicate was acknowledged");

        Assert.Equal(firstId, secondId);
        Assert.Equal(1, _recorder.Count("delete-user-42"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Trace_context_flows_from_enqueue_to_the_handler_activity()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WorkQueueExtensions.TelemetryName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        ActivityTraceId requestTraceId;
        using (var request = new Activity("POST /auth/delete_account").SetIdFormat(ActivityIdFormat.W3C).Start())
        {
            requestTraceId = request.TraceId;
            await queue.EnqueueAsync(new EchoJob("traced", "t"), TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => !_recorder.Traces.IsEmpty, "timed out waiting until the handler ran inside an activity");
        var (traceId, parentSpanId) = Assert.Single(_recorder.Traces);
        Assert.Equal(requestTraceId, traceId);
        Assert.NotEqual(default, parentSpanId);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The group holds no message that a consumer was handed and has not acknowledged.</summary>
    private async Task<bool> NothingPendingAsync() =>
        (await redis.Connection.GetDatabase().StreamPendingAsync(_stream, "authapp-workers")).PendingMessageCount == 0;

    [Fact]
    public async Task Readiness_check_is_healthy_while_the_consumer_reads()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        // Healthy once the consumer has read (its first read starts with the host, a moment later).
        HealthStatus? status = null;
        await Eventually.TrueAsync(async () =>
            (status = (await health.CheckHealthAsync(TestContext.Current.CancellationToken)).Entries["work-queue"].Status) == HealthStatus.Healthy,
            () => $"the work queue's check stayed {status}");
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}

public sealed class DeliveryTestsOnSingleNode(RedisServerFixture redis) : DeliveryTests(redis);

public sealed class DeliveryTestsOnCluster(RedisClusterFixture redis) : DeliveryTests(redis);
