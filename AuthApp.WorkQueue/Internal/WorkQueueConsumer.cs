using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using AuthApp.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The worker side: reads the stream as one consumer of the group, runs handlers with bounded
/// concurrency, retries with back-off through the delayed set, dead-letters, and reclaims messages
/// left pending by crashed replicas. See docs/work-queue.md.
/// </summary>
internal sealed partial class WorkQueueConsumer : BackgroundService
{
    private const string ErrorTypeField = "errorType";

    private readonly IConnectionMultiplexer _redis;
    private readonly IServiceScopeFactory _scopes;
    private readonly JobRegistry _registry;
    private readonly WorkQueueTelemetry _telemetry;
    private readonly ConsumerMonitor _monitor;
    private readonly TimeProvider _clock;
    private readonly ILogger<WorkQueueConsumer> _logger;
    private readonly WorkQueueOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<string, Task> _inFlight = new();

    // Failed Redis calls since the last success: an outage is logged when it starts and when it ends.
    private int _redisFailures;

    // Cancelled only when the host's shutdown timeout runs out: handlers get that long to finish.
    private readonly CancellationTokenSource _abort = new();

    public WorkQueueConsumer(
        IConnectionMultiplexer redis,
        IServiceScopeFactory scopes,
        JobRegistry registry,
        WorkQueueTelemetry telemetry,
        ConsumerMonitor monitor,
        IOptions<WorkQueueOptions> options,
        TimeProvider clock,
        ILogger<WorkQueueConsumer> logger)
    {
        _redis = redis;
        _scopes = scopes;
        _registry = registry;
        _telemetry = telemetry;
        _monitor = monitor;
        _clock = clock;
        _logger = logger;
        _options = options.Value;
        _slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        ConsumerName = string.IsNullOrEmpty(_options.ConsumerName)
            ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"
            : _options.ConsumerName;
    }

    public string ConsumerName { get; }

    private IDatabase Db => _redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, ConsumerName, _options.StreamName, _options.ConsumerGroup, _options.MaxConcurrency);
        try
        {
            await EnsureGroupAsync(stoppingToken);
            var channel = await SubscribeAsync();

            var loops = new[]
            {
                RunPeriodicallyAsync(_options.DelayedPollInterval, PromoteDueRetriesAsync, stoppingToken),
                RunPeriodicallyAsync(_options.ClaimInterval, ReclaimAsync, stoppingToken),
                RunPeriodicallyAsync(_options.MetricsRefreshInterval, RefreshSnapshotAsync, stoppingToken),
            };
            try
            {
                await ReadLoopAsync(stoppingToken);
            }
            finally
            {
                await UnsubscribeAsync(channel);
                await Task.WhenAll(loops);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stop reading; let in-flight handlers finish. If the shutdown timeout runs out first, StopAsync
        // aborts them and their messages stay pending for another replica to reclaim.
        var remaining = _inFlight.Values.ToArray();
        if (remaining.Length > 0)
        {
            LogDraining(_logger, remaining.Length);
            await Task.WhenAll(remaining);
        }
        LogStopped(_logger, ConsumerName);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await using (cancellationToken.Register(_abort.Cancel))
        {
            await base.StopAsync(cancellationToken);
        }
        // base.StopAsync returns as soon as the shutdown timeout runs out, possibly before the callback
        // above ran: make sure handlers still running are told to give up (their messages stay pending).
        if (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync();
        }
    }

    public override void Dispose()
    {
        _abort.Cancel();
        base.Dispose();
        _abort.Dispose();
    }

    /// <summary>
    /// Enqueue notifications wake the read loop at once. They only shorten the wait: when Redis does not answer the
    /// subscription, the loop still finds new work every poll interval.
    /// </summary>
    private async Task<ChannelMessageQueue?> SubscribeAsync()
    {
        try
        {
            var channel = await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(_options.NotifyChannel));
            channel.OnMessage(_ => Wake());
            return channel;
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            RedisFailed("subscribe", exception);
            return null;
        }
    }

    private async Task UnsubscribeAsync(ChannelMessageQueue? channel)
    {
        try
        {
            if (channel is not null)
            {
                await channel.UnsubscribeAsync();
            }
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            RedisFailed("unsubscribe", exception);
        }
    }

    private async Task EnsureGroupAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                await CreateGroupAsync();
                return;
            }
            catch (Exception exception) when (exception.IsRedisOutage())
            {
                RedisFailed("create-group", exception);
                await Task.Delay(_options.PollInterval, _clock, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Creates the consumer group (and the stream) unless it exists; true when this call created it. From "0":
    /// jobs enqueued before any consumer (or the group) existed are delivered too.
    /// </summary>
    private async Task<bool> CreateGroupAsync()
    {
        try
        {
            return await Db.StreamCreateConsumerGroupAsync(_options.StreamName, _options.ConsumerGroup, "0-0", createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            return false;
        }
    }

    /// <summary>
    /// Redis lost the stream and its group (restarted without persistence, flushed) while this replica ran: every
    /// group command now fails with NOGROUP. Recreate the group at once, so that the jobs enqueued since are
    /// consumed without a restart; only the replica that recreates it logs the incident.
    /// </summary>
    private async Task<bool> HealIfGroupLostAsync(Exception exception)
    {
        if (exception is not RedisServerException || !exception.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            if (await CreateGroupAsync())
            {
                LogGroupRecreated(_logger, _options.ConsumerGroup, _options.StreamName);
            }
        }
        catch (Exception createFailure) when (createFailure.IsRedisOutage())
        {
            RedisFailed("create-group", createFailure);
        }

        return true;
    }

    /// <summary>Logs the first failure of an outage; the rest at Debug until a call succeeds again.</summary>
    private void RedisFailed(string operation, Exception exception)
    {
        if (Interlocked.Increment(ref _redisFailures) == 1)
        {
            LogRedisError(_logger, operation, exception.GetType().Name);
        }
        else
        {
            LogRedisErrorRepeated(_logger, operation, exception.GetType().Name);
        }
    }

    private void RedisSucceeded()
    {
        if (Interlocked.Exchange(ref _redisFailures, 0) is > 0 and var failures)
        {
            LogRedisBack(_logger, failures);
        }
    }

    private async Task ReadLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var granted = await AcquireSlotsAsync(stoppingToken);
            if (granted == 0)
            {
                // Every slot is busy: prove the loop and Redis are alive, then wait for a slot again.
                await PingAsync();
                continue;
            }

            StreamEntry[] entries;
            try
            {
                entries = await Db.StreamReadGroupAsync(_options.StreamName, _options.ConsumerGroup, ConsumerName, StreamPosition.NewMessages, granted);
                _monitor.RecordCycle();
                RedisSucceeded();
            }
            catch (Exception exception) when (exception.IsRedisOutage())
            {
                _slots.Release(granted);
                if (!await HealIfGroupLostAsync(exception))
                {
                    RedisFailed("read", exception);
                    await Task.Delay(_options.PollInterval, _clock, stoppingToken);
                }

                continue;
            }

            if (granted > entries.Length)
            {
                _slots.Release(granted - entries.Length);
            }
            foreach (var entry in entries)
            {
                Start(entry);
            }
            if (entries.Length == 0)
            {
                await WaitForWorkAsync(stoppingToken);
            }
        }
    }

    /// <summary>Waits up to one poll interval for a slot, then takes every other free one (up to MaxConcurrency).</summary>
    private async Task<int> AcquireSlotsAsync(CancellationToken stoppingToken)
    {
        if (!await _slots.WaitAsync(_options.PollInterval, stoppingToken))
        {
            return 0;
        }
        var granted = 1;
        while (granted < _options.MaxConcurrency && _slots.Wait(0, CancellationToken.None))
        {
            granted++;
        }
        return granted;
    }

    private async Task PingAsync()
    {
        try
        {
            await Db.PingAsync();
            _monitor.RecordCycle();
            RedisSucceeded();
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            RedisFailed("ping", exception);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken) =>
        await _wake.WaitAsync(_options.PollInterval, stoppingToken);

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    /// <summary>Runs one message on the thread pool; the slot it holds is released when it ends.</summary>
    private void Start(StreamEntry entry)
    {
        var id = entry.Id.ToString();
        var task = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(entry);
            }
            finally
            {
                _inFlight.TryRemove(id, out _);
                _slots.Release();
            }
        }, CancellationToken.None);
        _inFlight.TryAdd(id, task);
    }

    private async Task ProcessAsync(StreamEntry entry)
    {
        var messageId = entry.Id.ToString();
        var message = JobMessage.TryParse(entry);
        if (message is null)
        {
            LogMalformed(_logger, messageId);
            await DeadLetterAsync(entry, null, "MalformedMessage", "The message lacks a job id, type or payload.");
            return;
        }

        ActivityContext.TryParse(message.TraceParent, message.TraceState, isRemote: true, out var parent);
        using var activity = WorkQueueTelemetry.ActivitySource.StartActivity($"{_options.StreamName} process", ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag("messaging.destination.name", _options.StreamName);
        activity?.SetTag("messaging.consumer.group.name", _options.ConsumerGroup);
        activity?.SetTag("messaging.message.id", messageId);
        activity?.SetTag("authapp.job.id", message.JobId);
        activity?.SetTag("authapp.job.type", message.Type);
        activity?.SetTag("authapp.job.attempt", message.Attempt);
        var typeTag = new KeyValuePair<string, object?>("authapp.job.type", message.Type);

        try
        {
            if (await Db.KeyExistsAsync(_options.DoneKey(message.JobId)))
            {
                // Finished before (a crash between handler and acknowledgement, or a repeated idempotency key).
                await Db.ScriptEvaluateAsync(RedisScripts.Acknowledge, [_options.StreamName], [_options.ConsumerGroup, messageId]);
                _telemetry.Duplicates.Add(1, typeTag);
                activity?.SetTag("authapp.job.duplicate", true);
                LogDuplicate(_logger, message.Type, message.JobId, messageId);
                return;
            }

            if (!_registry.TryGet(message.Type, out var registration))
            {
                // Perhaps a newer producer than this worker: retry (another replica may know it), then dead-letter.
                LogUnknownType(_logger, message.Type, message.JobId);
                await FailAsync(entry, message, "UnknownJobType", activity, typeTag);
                return;
            }

            var context = new JobContext(message.JobId, messageId, message.Type, message.Attempt, message.EnqueuedAt);
            var started = _clock.GetTimestamp();
            using var leaseCts = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            var lease = RenewLeaseAsync(messageId, leaseCts.Token);
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                await registration.InvokeAsync(scope.ServiceProvider, message.Payload, context, _abort.Token);
            }
            finally
            {
                await leaseCts.CancelAsync();
                await lease;
                _telemetry.Duration.Record(_clock.GetElapsedTime(started).TotalSeconds, typeTag);
            }

            await Db.ScriptEvaluateAsync(
                RedisScripts.Complete,
                [_options.StreamName, _options.DoneKey(message.JobId)],
                [_options.ConsumerGroup, messageId, (long)_options.CompletionMarkerTtl.TotalMilliseconds]);
            _telemetry.Completed.Add(1, typeTag);
            LogCompleted(_logger, message.Type, message.JobId, message.Attempt);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            // Shutdown ran out of time: leave the message pending (unacknowledged) for another replica.
            activity?.SetStatus(ActivityStatusCode.Error, "abandoned at shutdown");
            LogAbandoned(_logger, message.Type, message.JobId, message.Attempt);
        }
        catch (PermanentJobFailureException exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "permanent failure");
            var errorType = exception.InnerException?.GetType().FullName ?? typeof(PermanentJobFailureException).FullName!;
            LogPermanentFailure(_logger, message.Type, message.JobId, message.Attempt, errorType);
            await DeadLetterAsync(entry, message, errorType, exception.SafeSummary);
            _telemetry.DeadLettered.Add(1, typeTag);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            // Redis itself failed: nothing can be recorded; the message stays pending and is reclaimed.
            activity?.SetStatus(ActivityStatusCode.Error, "redis unavailable");
            RedisFailed("process", exception);
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            await FailAsync(entry, message, exception.GetType().FullName ?? exception.GetType().Name, activity, typeTag);
        }
    }

    /// <summary>A failed run: retry later with back-off, or dead-letter once MaxAttempts runs have failed.</summary>
    private async Task FailAsync(StreamEntry entry, JobMessage message, string errorType, Activity? activity, KeyValuePair<string, object?> typeTag)
    {
        try
        {
            if (message.Attempt >= _options.MaxAttempts)
            {
                LogExhausted(_logger, message.Type, message.JobId, message.Attempt, errorType);
                await DeadLetterAsync(entry, message, errorType, $"Failed {message.Attempt} attempt(s).");
                _telemetry.DeadLettered.Add(1, typeTag);
                return;
            }

            var delay = BackOff(message.Attempt);
            var due = _clock.GetUtcNow() + delay;
            var next = message with { Attempt = message.Attempt + 1 };
            var moved = await Db.ScriptEvaluateAsync(
                RedisScripts.ScheduleRetry,
                [_options.StreamName, _options.DelayedKey],
                [_options.ConsumerGroup, entry.Id, ConsumerName, due.ToUnixTimeMilliseconds(), JsonSerializer.Serialize(next.ToFlatArray())]);
            if ((long)moved == 1)
            {
                _telemetry.Retried.Add(1, typeTag);
                activity?.SetTag("authapp.job.retry_in_ms", (long)delay.TotalMilliseconds);
                LogRetry(_logger, message.Type, message.JobId, message.Attempt, errorType, delay);
            }
            else
            {
                LogLostOwnership(_logger, message.Type, message.JobId);
            }
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            RedisFailed("fail", exception);
        }
    }

    private TimeSpan BackOff(int failedAttempt)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        var capped = Math.Min(exponential, _options.RetryMaxDelay.TotalMilliseconds);
        // "Equal jitter": between half and all of the delay, so replicas failing together spread out.
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    private async Task DeadLetterAsync(StreamEntry entry, JobMessage? message, string errorType, string summary)
    {
        var args = new List<RedisValue>
        {
            _options.ConsumerGroup, entry.Id, ConsumerName, _options.DeadLetterMaxLength,
        };
        // The original fields (so the job can be replayed) plus why and when it died. Never exception text.
        foreach (var field in entry.Values)
        {
            args.Add(field.Name);
            args.Add(field.Value);
        }
        args.AddRange([
            ErrorTypeField, errorType,
            "errorSummary", summary,
            "attempts", message?.Attempt ?? 0,
            "failedAt", _clock.GetUtcNow().ToUnixTimeMilliseconds(),
            "originalMessageId", entry.Id,
            "consumer", ConsumerName,
        ]);
        try
        {
            await Db.ScriptEvaluateAsync(RedisScripts.DeadLetter,
                [_options.StreamName, _options.DeadLetterKey, _options.AcceptedKey(message?.JobId ?? "")], [.. args]);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            RedisFailed("dead-letter", exception);
        }
    }

    /// <summary>While a handler runs, keep resetting the message's idle time so no other replica reclaims it.</summary>
    private async Task RenewLeaseAsync(string messageId, CancellationToken cancellationToken)
    {
        var period = _options.ClaimMinIdleTime / 3;
        try
        {
            using var timer = new PeriodicTimer(period, _clock);
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    var owned = await Db.ScriptEvaluateAsync(RedisScripts.RenewLease, [_options.StreamName], [_options.ConsumerGroup, messageId, ConsumerName]);
                    if ((long)owned == 0)
                    {
                        return;
                    }
                }
                catch (Exception exception) when (exception.IsRedisOutage())
                {
                    RedisFailed("renew", exception);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task PromoteDueRetriesAsync()
    {
        var moved = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.PromoteDue,
            [_options.DelayedKey, _options.StreamName],
            [_clock.GetUtcNow().ToUnixTimeMilliseconds(), 100]);
        if (moved > 0)
        {
            Wake();
            await _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(_options.NotifyChannel), "1", CommandFlags.FireAndForget);
        }
    }

    /// <summary>Takes over messages that another consumer left pending longer than ClaimMinIdleTime.</summary>
    private async Task ReclaimAsync()
    {
        var cursor = (RedisValue)"0-0";
        do
        {
            var granted = await AcquireSlotsAsync(CancellationToken.None);
            if (granted == 0)
            {
                return;
            }
            StreamAutoClaimResult result;
            try
            {
                result = await Db.StreamAutoClaimAsync(
                    _options.StreamName, _options.ConsumerGroup, ConsumerName,
                    (long)_options.ClaimMinIdleTime.TotalMilliseconds, cursor, granted);
            }
            catch
            {
                _slots.Release(granted);
                throw;
            }
            var claimed = result.ClaimedEntries.Where(entry => !entry.IsNull).ToArray();
            if (granted > claimed.Length)
            {
                _slots.Release(granted - claimed.Length);
            }
            foreach (var entry in claimed)
            {
                LogReclaimed(_logger, entry.Id.ToString());
                if (await ExceedsDeliveryLimitAsync(entry))
                {
                    _slots.Release();
                    continue;
                }
                Start(entry);
            }
            cursor = result.NextStartId;
        }
        while (cursor != "0-0" && !cursor.IsNull);
    }

    /// <summary>A message that keeps killing its consumers (delivered too often) is dead-lettered instead of run again.</summary>
    private async Task<bool> ExceedsDeliveryLimitAsync(StreamEntry entry)
    {
        var pending = await Db.StreamPendingMessagesAsync(_options.StreamName, _options.ConsumerGroup, 1, ConsumerName, entry.Id, entry.Id);
        if (pending.Length == 0 || pending[0].DeliveryCount <= _options.MaxDeliveries)
        {
            return false;
        }
        var message = JobMessage.TryParse(entry);
        LogDeliveryLimit(_logger, message?.Type ?? "?", message?.JobId ?? "?", pending[0].DeliveryCount);
        await DeadLetterAsync(entry, message, "DeliveryLimitExceeded", $"Delivered {pending[0].DeliveryCount} times without completing.");
        _telemetry.DeadLettered.Add(1, new KeyValuePair<string, object?>("authapp.job.type", message?.Type));
        return true;
    }

    private async Task RefreshSnapshotAsync()
    {
        var db = Db;
        var length = db.StreamLengthAsync(_options.StreamName);
        var pending = db.StreamPendingAsync(_options.StreamName, _options.ConsumerGroup);
        var delayed = db.SortedSetLengthAsync(_options.DelayedKey);
        var dead = db.StreamLengthAsync(_options.DeadLetterKey);
        await Task.WhenAll(length, pending, delayed, dead);
        _telemetry.Publish(new QueueSnapshot(length.Result, pending.Result.PendingMessageCount, delayed.Result, dead.Result));
    }

    private async Task RunPeriodicallyAsync(TimeSpan period, Func<Task> work, CancellationToken stoppingToken)
    {
        try
        {
            using var timer = new PeriodicTimer(period, _clock);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await work();
                }
                catch (Exception exception) when (exception.IsRedisOutage())
                {
                    if (!await HealIfGroupLostAsync(exception))
                    {
                        RedisFailed(work.Method.Name, exception);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Work-queue consumer {Consumer} started on {Stream} (group {Group}, {MaxConcurrency} at once)")]
    private static partial void LogStarted(ILogger logger, string consumer, string stream, string group, int maxConcurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work-queue consumer {Consumer} stopped")]
    private static partial void LogStopped(ILogger logger, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for {Count} in-flight job(s)")]
    private static partial void LogDraining(ILogger logger, int count);

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobType} {JobId} was delivered {DeliveryCount} times without completing; moved to the dead-letter stream")]
    private static partial void LogDeliveryLimit(ILogger logger, string jobType, string jobId, long deliveryCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobType} {JobId} attempt {Attempt} did not finish before shutdown; left pending for another replica")]
    private static partial void LogAbandoned(ILogger logger, string jobType, string jobId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No handler for job type {JobType} (job {JobId})")]
    private static partial void LogUnknownType(ILogger logger, string jobType, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Message {MessageId} is malformed; moved to the dead-letter stream")]
    private static partial void LogMalformed(ILogger logger, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobType} {JobId} was reclaimed by another consumer before its failure was recorded")]
    private static partial void LogLostOwnership(ILogger logger, string jobType, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reclaimed message {MessageId} left pending by another consumer")]
    private static partial void LogReclaimed(ILogger logger, string messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType}); further failures are logged at Debug until Redis answers again")]
    private static partial void LogRedisError(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType})")]
    private static partial void LogRedisErrorRepeated(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work queue: Redis answers again after {Failures} failed call(s)")]
    private static partial void LogRedisBack(ILogger logger, int failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consumer group {Group} of {Stream} was missing (Redis restarted empty or was flushed): recreated, consuming again")]
    private static partial void LogGroupRecreated(ILogger logger, string group, string stream);
}
