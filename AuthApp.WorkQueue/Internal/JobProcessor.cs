using System.Diagnostics;
using System.Text.Json;
using AuthApp.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// Runs one delivered message: skips a job that already completed, runs its handler in a scope of its own while keeping
/// the message's lease, then completes it, schedules a retry with back-off through the delayed set, or dead-letters it.
/// Every outcome is one script (<see cref="RedisScripts"/>); a run Redis cannot record stays pending and is reclaimed.
/// </summary>
internal sealed partial class JobProcessor(
    IConnectionMultiplexer redis,
    IServiceScopeFactory scopes,
    JobRegistry registry,
    WorkQueueTelemetry telemetry,
    WorkQueueOptions options,
    string consumerName,
    RedisOutageLog outages,
    TimeProvider clock,
    ILogger logger,
    CancellationToken abort)
{
    private const string ErrorTypeField = "errorType";

    private IDatabase Db => redis.GetDatabase();

    public async Task ProcessAsync(StreamEntry entry)
    {
        var messageId = entry.Id.ToString();
        var message = JobMessage.TryParse(entry);
        if (message is null)
        {
            LogMalformed(logger, messageId);
            await DeadLetterAsync(entry, null, "MalformedMessage", "The message lacks a job id, type or payload.");
            return;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        using var activity = WorkQueueTelemetry.ActivitySource.StartActivity($"{options.StreamName} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", options.StreamName);
        activity?.SetTag("messaging.consumer.group.name", options.ConsumerGroup);
        activity?.SetTag("messaging.message.id", messageId);
        activity?.SetTag("authapp.job.id", message.JobId);
        activity?.SetTag("authapp.job.type", message.Type);
        activity?.SetTag("authapp.job.attempt", message.Attempt);
        var typeTag = new KeyValuePair<string, object?>("authapp.job.type", message.Type);

        try
        {
            if (await Db.KeyExistsAsync(options.DoneKey(message.JobId)))
            {
                // Finished before (a crash between handler and acknowledgement, or a repeated idempotency key).
                await Db.ScriptEvaluateAsync(RedisScripts.Acknowledge, [options.StreamName], [options.ConsumerGroup, messageId]);
                telemetry.Duplicates.Add(1, typeTag);
                activity?.SetTag("authapp.job.duplicate", true);
                LogDuplicate(logger, message.Type, message.JobId, messageId);
                return;
            }

            if (!registry.TryGet(message.Type, out var registration))
            {
                // Perhaps a newer producer than this worker: retry (another replica may know it), then dead-letter.
                LogUnknownType(logger, message.Type, message.JobId);
                await FailAsync(entry, message, "UnknownJobType", activity, typeTag);
                return;
            }

            var context = new JobContext(message.JobId, messageId, message.Type, message.Attempt, message.EnqueuedAt);
            var started = clock.GetTimestamp();
            using var leaseCts = CancellationTokenSource.CreateLinkedTokenSource(abort);
            var lease = RenewLeaseAsync(messageId, leaseCts.Token);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await registration.InvokeAsync(scope.ServiceProvider, message.Payload, context, abort);
            }
            finally
            {
                await leaseCts.CancelAsync();
                await lease;
                telemetry.Duration.Record(clock.GetElapsedTime(started).TotalSeconds, typeTag);
            }

            await Db.ScriptEvaluateAsync(
                RedisScripts.Complete,
                [options.StreamName, options.DoneKey(message.JobId)],
                [options.ConsumerGroup, messageId, (long)options.CompletionMarkerTtl.TotalMilliseconds]);
            telemetry.Completed.Add(1, typeTag);
            LogCompleted(logger, message.Type, message.JobId, message.Attempt);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Shutdown ran out of time: leave the message pending (unacknowledged) for another replica.
            activity?.SetStatus(ActivityStatusCode.Error, "abandoned at shutdown");
            LogAbandoned(logger, message.Type, message.JobId, message.Attempt);
        }
        catch (PermanentJobFailureException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "permanent failure");
            var errorType = exception.InnerException?.GetType().FullName ?? typeof(PermanentJobFailureException).FullName!;
            LogPermanentFailure(logger, message.Type, message.JobId, message.Attempt, errorType);
            await DeadLetterAsync(entry, message, errorType, exception.SafeSummary);
            telemetry.DeadLettered.Add(1, typeTag);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            // Redis itself failed: nothing can be recorded; the message stays pending and is reclaimed.
            activity?.SetStatus(ActivityStatusCode.Error, "redis unavailable");
            outages.Failed("process", exception);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            await FailAsync(entry, message, exception.GetType().FullName ?? exception.GetType().Name, activity, typeTag);
        }
    }

    /// <summary>
    /// Moves the message to the dead-letter stream with its original fields (so the job can be replayed) plus why and
    /// when it died, never exception text; the job's accepted marker goes, so the same idempotent job can come again.
    /// </summary>
    public async Task DeadLetterAsync(StreamEntry entry, JobMessage? message, string errorType, string summary)
    {
        var args = new List<RedisValue>
        {
            options.ConsumerGroup, entry.Id, consumerName, options.DeadLetterMaxLength,
        };
        foreach (var field in entry.Values)
        {
            args.Add(field.Name);
            args.Add(field.Value);
        }
        args.AddRange([
            ErrorTypeField, errorType,
            "errorSummary", summary,
            "attempts", message?.Attempt ?? 0,
            "failedAt", clock.GetUtcNow().ToUnixTimeMilliseconds(),
            "originalMessageId", entry.Id,
            "consumer", consumerName,
        ]);
        try
        {
            await Db.ScriptEvaluateAsync(RedisScripts.DeadLetter,
                [options.StreamName, options.DeadLetterKey, options.AcceptedKey(message?.JobId ?? "")], [.. args]);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            outages.Failed("dead-letter", exception);
        }
    }

    /// <summary>A failed run: retry later with back-off, or dead-letter once MaxAttempts runs have failed.</summary>
    private async Task FailAsync(StreamEntry entry, JobMessage message, string errorType, Activity? activity, KeyValuePair<string, object?> typeTag)
    {
        try
        {
            if (message.Attempt >= options.MaxAttempts)
            {
                LogExhausted(logger, message.Type, message.JobId, message.Attempt, errorType);
                await DeadLetterAsync(entry, message, errorType, $"Failed {message.Attempt} attempt(s).");
                telemetry.DeadLettered.Add(1, typeTag);
                return;
            }

            var delay = BackOff(message.Attempt);
            var due = clock.GetUtcNow() + delay;
            var next = message with { Attempt = message.Attempt + 1 };
            var moved = await Db.ScriptEvaluateAsync(
                RedisScripts.ScheduleRetry,
                [options.StreamName, options.DelayedKey],
                [options.ConsumerGroup, entry.Id, consumerName, due.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(next.ToFlatArray())]);
            if ((long)moved == 1)
            {
                telemetry.Retried.Add(1, typeTag);
                activity?.SetTag("authapp.job.retry_in_ms", (long)delay.TotalMilliseconds);
                LogRetry(logger, message.Type, message.JobId, message.Attempt, errorType, delay);
            }
            else
            {
                LogLostOwnership(logger, message.Type, message.JobId);
            }
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            outages.Failed("fail", exception);
        }
    }

    private TimeSpan BackOff(int failedAttempt)
    {
        var exponential = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        var capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        // "Equal jitter": between half and all of the delay, so replicas failing together spread out.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    /// <summary>While a handler runs, keep resetting the message's idle time so no other replica reclaims it.</summary>
    private async Task RenewLeaseAsync(string messageId, CancellationToken cancellationToken)
    {
        var period = options.ClaimMinIdleTime / 3;
        try
        {
            using var timer = new PeriodicTimer(period, clock);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var owned = await Db.ScriptEvaluateAsync(RedisScripts.RenewLease, [options.StreamName], [options.ConsumerGroup, messageId, consumerName]);
                    if ((long)owned == 0)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception.IsRedisOutage())
                {
                    outages.Failed("renew", exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Job {JobType} {JobId} completed on attempt {Attempt}")]
    private static partial void LogCompleted(ILogger logger, string jobType, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobType} {JobId} already completed; message {MessageId} acknowledged without running it again")]
    private static partial void LogDuplicate(ILogger logger, string jobType, string jobId, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobType} {JobId} failed on attempt {Attempt} ({ErrorType}); retrying in {Delay}")]
    private static partial void LogRetry(ILogger logger, string jobType, string jobId, int attempt, string errorType, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobType} {JobId} failed {Attempt} attempt(s) ({ErrorType}); moved to the dead-letter stream")]
    private static partial void LogExhausted(ILogger logger, string jobType, string jobId, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobType} {JobId} failed permanently on attempt {Attempt} ({ErrorType}); moved to the dead-letter stream")]
    private static partial void LogPermanentFailure(ILogger logger, string jobType, string jobId, int attempt, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobType} {JobId} attempt {Attempt} did not finish before shutdown; left pending for another replica")]
    private static partial void LogAbandoned(ILogger logger, string jobType, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No handler for job type {JobType} (job {JobId})")]
    private static partial void LogUnknownType(ILogger logger, string jobType, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} is malformed; moved to the dead-letter stream")]
    private static partial void LogMalformed(ILogger logger, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobType} {JobId} was reclaimed by another consumer before its failure was recorded")]
    private static partial void LogLostOwnership(ILogger logger, string jobType, string jobId);
}
