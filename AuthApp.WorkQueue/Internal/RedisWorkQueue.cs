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

    public async Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        ArgumentNullException.ThrowIfNull(job);
        cancellationToken.ThrowIfCancellationRequested();
        var settings = options.Value;
        var type = TJob.JobType;
        var jobId = job is IIdempotentJob idempotent
            ? $"{type}:{idempotent.IdempotencyKey}"
            : Guid.CreateVersion7().ToString("N");

        using var activity = WorkQueueTelemetry.ActivitySource.StartActivity($"{settings.StreamName} publish", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", settings.StreamName);
        activity?.SetTag("authapp.job.type", type);
        activity?.SetTag("authapp.job.id", jobId);

        // W3C trace context of the producer span (or of the request, when nobody listens to ours).
        string? traceParent = null, traceState = null;
        if (Activity.Current is { } current)
        {
            DistributedContextPropagator.Current.Inject(current, null, (_, name, value) =>
            {
                if (name == "traceparent") traceParent = value;
                else if (name == "tracestate") traceState = value;
            });
        }

        var message = new JobMessage(
            jobId,
            type,
            JsonSerializer.Serialize(job, JsonOptions),
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            Attempt: 1,
            traceParent,
            traceState);

        var db = redis.GetDatabase();
        var messageId = await db.StreamAddAsync(
            settings.StreamName,
            message.ToEntries(),
            maxLength: settings.MaxLength,
            useApproximateMaxLength: true).WaitAsync(cancellationToken);
        activity?.SetTag("messaging.message.id", messageId.ToString());

        // Wake idle consumers now rather than at their next poll; losing this costs only latency.
        await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(settings.NotifyChannel), "1", CommandFlags.FireAndForget);

        telemetry.Enqueued.Add(1, new KeyValuePair<string, object?>("authapp.job.type", type));
        LogEnqueued(logger, type, jobId, messageId.ToString());
        return jobId;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Enqueued job {JobType} {JobId} as message {MessageId}")]
    private static partial void LogEnqueued(ILogger logger, string jobType, string jobId, string messageId);
}
