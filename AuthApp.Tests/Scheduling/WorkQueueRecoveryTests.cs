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
        await using var stack = new SchedulingStack(host);
        var redis = await stack.RedisAsync();
        var jobId = "e2e-" + Guid.NewGuid().ToString("N");
        var payload = JsonSerializer.Serialize(new { uid = "e2e-nobody-" + jobId, title = "t", body = "b", idempotencyKey = jobId });

        var result = (RedisResult[])(await redis.ScriptEvaluateAsync(EnqueueToDeadConsumer, [Stream],
            [jobId, "push.send", payload, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Group, "e2e-killed-consumer"]))!;
        var taken = (string)result[1]!;

        // ClaimMinIdleTime (30 s) plus a claim interval (10 s): a live replica reclaims and runs it.
        Assert.True(await SchedulingStack.EventuallyAsync(async () =>
            (await redis.StreamPendingMessagesAsync(Stream, Group, 10, "e2e-killed-consumer")).Length == 0, TimeSpan.FromSeconds(75)),
            "the dead consumer's message was never reclaimed");
        if (taken == (string)result[0]!)
        {
            Assert.True(await SchedulingStack.EventuallyAsync(() => redis.KeyExistsAsync($"{Stream}:done:{jobId}"), TimeSpan.FromSeconds(15)),
                "the reclaimed job did not complete");
        }

        Assert.Empty(await redis.StreamRangeAsync(Stream, taken, taken));
    }

    [Fact]
    public async Task A_poison_message_lands_in_the_dead_letter_stream()
    {
        await using var stack = new SchedulingStack(host);
        var redis = await stack.RedisAsync();
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
        Assert.True(await SchedulingStack.EventuallyAsync(async () =>
        {
            dead = (await redis.StreamRangeAsync($"{Stream}:dead"))
                .Where(entry => entry.Values is not null && entry["jobId"] == jobId)
                .Select(entry => (StreamEntry?)entry)
                .FirstOrDefault();
            return dead is not null;
        }, TimeSpan.FromSeconds(30)), "the poison message was not dead-lettered");
        var fields = dead!.Value.Values.ToDictionary(field => field.Name.ToString(), field => field.Value.ToString());
        var shown = string.Join(", ", fields.Select(field => $"{field.Key}={field.Value}"));
        Assert.True(fields.GetValueOrDefault("originalMessageId") == messageId.ToString(), shown);
        Assert.False(string.IsNullOrEmpty(fields.GetValueOrDefault("errorType")), shown);
        Assert.Empty(await redis.StreamRangeAsync(Stream, messageId, messageId));
    }
}
