using System.Net;
using AuthApp.WorkQueue.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests;

/// <summary>
/// The queue rides out a Redis Cluster failover: the master holding the stream is killed (kill -9) while a consumer
/// works, its replica takes over, and every job still runs and completes. At least once: a completion the dead master
/// acknowledged but had not replicated is lost with it, so that job may run again. A cluster of its own.
/// </summary>
public sealed class ClusterFailoverTests
{
    private const int JobsBefore = 60;
    private const int JobsAfter = 20;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_job_runs_and_completes_when_the_streams_master_is_killed_under_load()
    {
        var target = new RedisClusterFixture(); // its own: the shared cluster's nodes stay up
        await target.InitializeAsync();
        await using var _ = target;
        var cluster = target.Cluster;
        var stream = QueueHost.NewStreamName();
        var recorder = new JobRecorder();
        var settings = new Dictionary<string, string?> { ["WorkQueue:MaxConcurrency"] = "4" };
        using var consumer = await QueueHost.StartAsync(target, stream, recorder, settings: settings);
        var queue = consumer.Services.GetRequiredService<IWorkQueue>();

        // Accepted jobs must be on the replica before the kill: replication is asynchronous, and a job the dead master
        // acknowledged but had not passed on is gone, which no queue can help.
        await queue.EnqueueManyAsync(Enumerable.Range(0, JobsBefore).Select(i => new EchoJob($"before{i}", "f")).ToList(), Cancellation);
        await cluster.WaitForReplicationAsync(cancellationToken: Cancellation);
        var endpoint = (IPEndPoint)target.Connection.GetDatabase().IdentifyEndpoint(stream)!;
        var victim = cluster.Nodes.Single(node => node.Port == endpoint.Port);
        await cluster.KillAsync(victim);

        // Enqueueing during the failover fails until the replica has taken over: a producer retries, as the API would
        // after its 503.
        for (var i = 0; i < JobsAfter; i++)
        {
            var job = new EchoJob($"after{i}", "f");
            await Eventually.TrueAsync(async () =>
            {
                try
                {
                    await queue.EnqueueAsync(job, Cancellation);
                    return true;
                }
                catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
                {
                    return false;
                }
            }, $"could not enqueue {job.Key} after the failover");
        }

        var keys = Enumerable.Range(0, JobsBefore).Select(i => $"before{i}|f").Concat(Enumerable.Range(0, JobsAfter).Select(i => $"after{i}|f")).ToList();
        await Eventually.TrueAsync(async () => keys.All(key => recorder.Count(key) >= 1) && await NothingLeftAsync(target.Connection, stream),
            () => $"not every job ran and was acknowledged: missing {string.Join(",", keys.Where(key => recorder.Count(key) == 0))}");
        Assert.DoesNotContain(victim, await cluster.MastersAsync(Cancellation));
        await consumer.StopAsync(Cancellation);
    }

    private static async Task<bool> NothingLeftAsync(IConnectionMultiplexer connection, string stream)
    {
        try
        {
            var db = connection.GetDatabase();
            return await db.StreamLengthAsync(stream) == 0 && (await db.StreamPendingAsync(stream, "authapp-workers")).PendingMessageCount == 0;
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            return false;
        }
    }
}
