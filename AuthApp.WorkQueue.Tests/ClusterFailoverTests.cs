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
        // Its own cluster (the shared one's nodes stay up), failing over within about two seconds.
        var target = new RedisClusterFixture { NodeTimeout = TimeSpan.FromSeconds(1) };
        await target.InitializeAsync();
        await using var _ = target;
        var cluster = target.Cluster;
        // As the API is configured (appsettings.json): a command waits a second, not the default five, for a node (while
        // the failover runs, commands for the dead master's slots wait in the client's backlog, then fail).
        await using var connection = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString + ",asyncTimeout=1000,syncTimeout=1000");
        var stream = QueueHost.NewStreamName();
        var recorder = new JobRecorder();
        var settings = new Dictionary<string, string?> { ["WorkQueue:MaxConcurrency"] = "4" };
        using var consumer = await QueueHost.StartAsync(target, stream, recorder, settings: settings, connection: connection);
        var queue = consumer.Services.GetRequiredService<IWorkQueue>();

        // Accepted jobs must be on the replica before the kill: replication is asynchronous, and a job the dead master
        // acknowledged but had not passed on is gone, which no queue can help.
        await queue.EnqueueManyAsync(Enumerable.Range(0, JobsBefore).Select(i => new EchoJob($"before{i}", "f")).ToList(), Cancellation);
        await cluster.WaitForReplicationAsync(cancellationToken: Cancellation);
        var endpoint = (IPEndPoint)connection.GetDatabase().IdentifyEndpoint(stream)!;
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
        await Eventually.TrueAsync(async () => keys.All(key => recorder.Count(key) >= 1) && await NothingLeftAsync(connection, stream),
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
