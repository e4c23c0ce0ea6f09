using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The worker side, one consumer of the group: sets up the group (<see cref="ConsumerGroup"/>), then runs the read loop
/// (<see cref="MessageReader"/>) and the periodic maintenance (<see cref="QueueMaintenance"/>) until the host stops,
/// each message processed by <see cref="JobProcessor"/> in one of <see cref="JobSlots"/>. They share one outage log
/// (<see cref="RedisOutageLog"/>) and this class's log category. See docs/work-queue.md.
/// </summary>
internal sealed partial class WorkQueueConsumer : BackgroundService
{
    private readonly WorkQueueOptions _options;
    private readonly ILogger<WorkQueueConsumer> _logger;
    private readonly JobSlots _slots;
    private readonly ConsumerGroup _group;
    private readonly MessageReader _reader;
    private readonly QueueMaintenance _maintenance;

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
        _options = options.Value;
        _logger = logger;
        ConsumerName = string.IsNullOrEmpty(_options.ConsumerName)
            ? $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}"
            : _options.ConsumerName;

        var outages = new RedisOutageLog(logger);
        _slots = new JobSlots(_options.MaxConcurrency);
        _group = new ConsumerGroup(redis, _options, outages, clock, logger);
        var processor = new JobProcessor(redis, scopes, registry, telemetry, _options, ConsumerName, outages, clock, logger, _abort.Token);
        _reader = new MessageReader(redis, _options, ConsumerName, _slots, processor, _group, monitor, outages, clock);
        _maintenance = new QueueMaintenance(redis, _options, ConsumerName, _slots, processor, _reader, _group, telemetry, outages, clock, logger);
    }

    public string ConsumerName { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarted(_logger, ConsumerName, _options.StreamName, _options.ConsumerGroup, _options.MaxConcurrency);
        try
        {
            await _group.EnsureAsync(stoppingToken);
            var channel = await _reader.SubscribeAsync();
            var maintenance = _maintenance.Start(stoppingToken);
            try
            {
                await _reader.RunAsync(stoppingToken);
            }
            finally
            {
                await _reader.UnsubscribeAsync(channel);
                await Task.WhenAll(maintenance);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stop reading; let in-flight handlers finish. If the shutdown timeout runs out first, StopAsync
        // aborts them and their messages stay pending for another replica to reclaim.
        var remaining = _slots.Running();
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Work-queue consumer {Consumer} started on {Stream} (group {Group}, {MaxConcurrency} at once)")]
    private static partial void LogStarted(ILogger logger, string consumer, string stream, string group, int maxConcurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work-queue consumer {Consumer} stopped")]
    private static partial void LogStopped(ILogger logger, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for {Count} in-flight job(s)")]
    private static partial void LogDraining(ILogger logger, int count);
}
