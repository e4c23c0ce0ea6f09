using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

internal sealed partial class RedisWorkQueue(
    IConnectionMultiplexer redis,
    IOptions<WorkQueueOptions> options,
    WorkQueueTelemetry telemetry,
    TimeProvider clock,
    ILogger<RedisWorkQueue> logger) : IWorkQueue
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>Jobs per script: large enough to make a burst cheap, small enough to keep Redis responsive.</summary>
    private const int ChunkSize = 500;

    public async Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        ArgumentNullException.ThrowIfNull(job);
        return (await EnqueueManyAsync([job], cancellationToken))[0];
    }

    public async Task<IReadOnlyList<string>> EnqueueManyAsync<TJob>(IReadOnlyList<TJob> jobs, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        ArgumentNullException.ThrowIfNull(jobs);
        cancellationToken.ThrowIfCancellationRequested();
        if (jobs.Count == 0)
        {
            return [];
        }

        var settings = options.Value;
        var type = TJob.JobType;
        using var activity = WorkQueueTelemetry.ActivitySource.StartActivity($"{settings.StreamName} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", settings.StreamName);
        activity?.SetTag("authapp.job.type", type);
        if (jobs.Count > 1)
        {
            activity?.SetTag("messaging.batch.message_count", jobs.Count);
        }

        var (traceParent, traceState) = CurrentTraceContext();
        var enqueuedAt = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var ids = new List<string>(jobs.Count);
        var args = new List<RedisValue>((16 * Math.Min(jobs.Count, ChunkSize)) + 1);
        var keys = new List<RedisKey>();
        var db = redis.GetDatabase();
        var added = 0;
        foreach (var chunk in jobs.Chunk(ChunkSize))
        {
            args.Clear();
            keys.Clear();
            keys.Add(settings.StreamName);
            args.Add((long)settings.CompletionMarkerTtl.TotalMilliseconds);
            foreach (var job in chunk)
            {
                ArgumentNullException.ThrowIfNull(job, nameof(jobs));
                var idempotencyKey = (job as IIdempotentJob)?.IdempotencyKey;
                var jobId = idempotencyKey is null ? Guid.CreateVersion7().ToString("N") : $"{type}:{idempotencyKey}";
                var message = new JobMessage(jobId, type, JsonSerializer.Serialize(job, JsonOptions), enqueuedAt, Attempt: 1, traceParent, traceState);
                ids.Add(jobId);
                var fields = message.ToEntries();
                if (idempotencyKey is not null)
                {
                    keys.Add(settings.AcceptedKey(jobId));
                }
                args.Add(idempotencyKey is null ? 0 : 1);
                args.Add(fields.Length * 2);
                foreach (var field in fields)
                {
                    args.Add(field.Name);
                    args.Add(field.Value);
                }
            }

            var messageIds = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Enqueue, [.. keys], [.. args]).WaitAsync(cancellationToken))!;
            for (var i = 0; i < messageIds.Length; i++)
            {
                var jobId = ids[ids.Count - messageIds.Length + i];
                if (messageIds[i].IsNull)
                {
                    // The same idempotent job is already queued, running or done: one of it is enough.
                    telemetry.Duplicates.Add(1, new KeyValuePair<string, object?>("authapp.job.type", type));
                    LogDuplicate(logger, type, jobId);
                }
                else
                {
                    added++;
                    LogEnqueued(logger, type, jobId, (string)messageIds[i]!);
                }
            }
        }

        activity?.SetTag("authapp.job.id", ids.Count == 1 ? ids[0] : null);
        if (added > 0)
        {
            // Wake idle consumers now rather than at their next poll; losing this costs only latency.
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(settings.NotifyChannel), "1", CommandFlags.FireAndForget);
            telemetry.Enqueued.Add(added, new KeyValuePair<string, object?>("authapp.job.type", type));
        }

        return ids;
    }

    /// <summary>The W3C trace context of the producer span (or of the request, when nobody listens to ours).</summary>
    private static (string? TraceParent, string? TraceState) CurrentTraceContext()
    {
        string? traceParent = null, traceState = null;
        if (Activity.Current is { } current)
        {
            DistributedContextPropagator.Current.Inject(current, null, (_, name, value) =>
            {
                if (name == "traceparent") traceParent = value;
                else if (name == "tracestate") traceState = value;
            });
        }

        return (traceParent, traceState);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Enqueued job {JobType} {JobId} as message {MessageId}")]
    private static partial void LogEnqueued(ILogger logger, string jobType, string jobId, string messageId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobType} {JobId} was already accepted; not enqueued again")]
    private static partial void LogDuplicate(ILogger logger, string jobType, string jobId);
}
