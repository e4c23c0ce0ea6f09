using System.Text.Json;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>The durable queue on the real stack: the scheduler replicas are its consumers.</summary>
public sealed class WorkQueueRecoveryTests(AppHostFixture host)
{
    private const string Stream = "authapp:jobs";
    private const string Group = "authapp-workers";

    /// <summary>Adds a job and hands it to a consumer that then "dies" (never acknowledges), in one atomic step.</summary>
    private const string EnqueueToDeadConsumer = """
        local id = redis.call('XADD', KEYS[1], '*', 'jobId', ARGV[1], 'type', ARGV[2], 'payload', ARGV[3], 'enqueuedAt', ARGV[4], 'attempt', '1')
        local read = redis.call('XREADGROUP', 'GROUP', ARGV[5], ARGV[6], 'COUNT', '1', 'STREAMS', KEYS[1], '>')
        return { id, read[1][2][1][1] }
        """;

    [Fact]
    public async Task A_job_left_pending_by_a_killed_consumer_is_finished_by_a_live_replica()
    {
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        var jobId = "e2e-" + Guid.NewGuid().ToString("N");
        var payload = JsonSerializer.Serialize(new { uid = "e2e-nobody-" + jobId, title = "t", body = "b", idempotencyKey = jobId });

        var result = (RedisResult[])(await redis.ScriptEvaluateAsync(EnqueueToDeadConsumer, [Stream],
            [jobId, "push.send", payload, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Group, "e2e-killed-consumer"]))!;
        var taken = (string)result[1]!;

        // Idle for AuthAppHost.ReclaimAfter, then a live replica's next claim (every second) takes it over and runs it.
        await Eventually.TrueAsync(async () =>
            (await redis.StreamPendingMessagesAsync(Stream, Group, 10, "e2e-killed-consumer")).Length == 0,
            "the dead consumer's message was never reclaimed", AuthAppHost.ReclaimAfter + TimeSpan.FromSeconds(30));
        if (taken == (string)result[0]!)
        {
            await Eventually.TrueAsync(() => redis.KeyExistsAsync($"{{{Stream}}}:done:{jobId}"), "the reclaimed job did not complete");
        }

        Assert.Empty(await redis.StreamRangeAsync(Stream, taken, taken));
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_dead_letter_stream()
    {
        await using var connection = await host.ConnectToCacheAsync();
        var redis = connection.GetDatabase();
        var jobId = "e2e-poison-" + Guid.NewGuid().ToString("N");

        var messageId = await redis.StreamAddAsync(Stream,
        [
            new NameValueEntry("jobId", jobId),
            new NameValueEntry("type", "push.send"),
            new NameValueEntry("payload", "{ this is not json"),
            new NameValueEntry("enqueuedAt", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            new NameValueEntry("attempt", 1),
        ]);

        StreamEntry? dead = null;
        await Eventually.TrueAsync(async () =>
        {
            dead = (await redis.StreamRangeAsync($"{{{Stream}}}:dead"))
                .Where(entry => entry.Values is not null && entry["jobId"] == jobId)
                .Select(entry => (StreamEntry?)entry)
                .FirstOrDefault();
            return dead is not null;
        }, "the poison message was not dead-lettered", TimeSpan.FromSeconds(30));
        var fields = dead!.Value.Values.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString());
        var shown = string.Join(", ", fields.Select(field => $"{field.Key}={field.Value}"));
        Assert.True(fields.GetValueOrDefault("originalMessageId") == messageId.ToString(), shown);
        Assert.False(string.IsNullOrEmpty(fields.GetValueOrDefault("errorType")), shown);
        Assert.Empty(await redis.StreamRangeAsync(Stream, messageId, messageId));
    }
}
