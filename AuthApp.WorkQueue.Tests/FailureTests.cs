using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

public abstract class FailureTests(IRedisTarget redis)
{
    private readonly string _stream = QueueHost.NewStreamName();
    private readonly JobRecorder _recorder = new();

    private IDatabase Db => redis.Connection.GetDatabase();

    [Fact]
    public async Task Transient_failure_is_retried_with_back_off_then_succeeds()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        var jobId = await queue.EnqueueAsync(new FlakyJob("flaky", FailuresBeforeSuccess: 2), TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(async () => await Db.KeyExistsAsync($"{{{_stream}}}:done:{jobId}"), "timed out waiting until the third attempt succeeded");
        var runs = _recorder.Runs.ToArray();
        Assert.Equal([1, 2, 3], runs.Select(run => run.Context.Attempt));
        Assert.All(runs, run => Assert.Equal(jobId, run.Context.JobId));
        // Base 100 ms, doubling, jitter 50-100 %: at least 50 ms, then at least 100 ms.
        Assert.True(runs[1].At - runs[0].At >= TimeSpan.FromMilliseconds(45), $"first back-off {runs[1].At - runs[0].At}");
        Assert.True(runs[2].At - runs[1].At >= TimeSpan.FromMilliseconds(95), $"second back-off {runs[2].At - runs[1].At}");
        Assert.Equal(0, await Db.StreamLengthAsync($"{{{_stream}}}:dead"));
        Assert.Equal(0, await Db.SortedSetLengthAsync($"{{{_stream}}}:delayed"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Poison_message_lands_in_the_dead_letter_stream_after_max_attempts()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        var jobId = await queue.EnqueueAsync(new PoisonJob("poison"), TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync($"{{{_stream}}}:dead") == 1, "timed out waiting until the job was dead-lettered");
        var dead = Assert.Single(await Db.StreamRangeAsync($"{{{_stream}}}:dead"));
        Assert.Equal(jobId, (string?)dead["jobId"]);
        Assert.Equal(PoisonJob.JobType, (string?)dead["type"]);
        Assert.Equal("3", (string?)dead["attempts"]);
        Assert.Equal(typeof(InvalidOperationException).FullName, (string?)dead["errorType"]);
        Assert.Contains("poison", (string?)dead["payload"]);
        Assert.DoesNotContain(dead.Values, field => field.Value.ToString().Contains(TestJobs.SecretInExceptionText));
        Assert.Equal(3, _recorder.Count("poison"));
        Assert.Equal(0, await Db.StreamLengthAsync(_stream));
        Assert.Equal(0, (await Db.StreamPendingAsync(_stream, "authapp-workers")).PendingMessageCount);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Permanent_failure_is_dead_lettered_at_once()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);
        var queue = host.Services.GetRequiredService<IWorkQueue>();

        await queue.EnqueueAsync(new RejectedJob("rejected"), TestContext.Current.CancellationToken);

        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync($"{{{_stream}}}:dead") == 1, "timed out waiting until the job was dead-lettered");
        var dead = Assert.Single(await Db.StreamRangeAsync($"{{{_stream}}}:dead"));
        Assert.Equal("1", (string?)dead["attempts"]);
        Assert.Equal(typeof(KeyNotFoundException).FullName, (string?)dead["errorType"]);
        Assert.Equal("The user no longer exists.", (string?)dead["errorSummary"]);
        Assert.DoesNotContain(dead.Values, field => field.Value.ToString().Contains(TestJobs.SecretInExceptionText));
        Assert.Equal(1, _recorder.Count("rejected"));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Payload_that_cannot_be_deserialized_is_dead_lettered_at_once()
    {
        using var host = await QueueHost.StartAsync(redis, _stream, _recorder);

        await Db.StreamAddAsync(_stream, [new("jobId", "j1"), new("type", EchoJob.JobType), new("payload", "{not json"), new("enqueuedAt", 0), new("attempt", 1)]);

        await Eventually.TrueAsync(async () => await Db.StreamLengthAsync($"{{{_stream}}}:dead") == 1, "timed out waiting until the job was dead-lettered");
        var dead = Assert.Single(await Db.StreamRangeAsync($"{{{_stream}}}:dead"));
        Assert.StartsWith("System.Text.Json", (string?)dead["errorType"]);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}

public sealed class FailureTestsOnSingleNode(RedisServerFixture redis) : FailureTests(redis);

public sealed class FailureTestsOnCluster(RedisClusterFixture redis) : FailureTests(redis);
