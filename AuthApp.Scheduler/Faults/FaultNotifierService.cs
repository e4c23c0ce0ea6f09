using Microsoft.Extensions.Options;

namespace AuthApp.Scheduler.Faults;

/// <summary>Runs <see cref="FaultNotifier"/> one page per <c>Scheduler:Faults:Interval</c>.</summary>
internal sealed partial class FaultNotifierService(
    FaultNotifier notifier,
    IOptions<FaultOptions> options,
    TimeProvider clock,
    ILogger<FaultNotifierService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await notifier.RunPageAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPageFailed(logger, exception.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fault notifier page failed ({ErrorType}); retried next interval")]
    private static partial void LogPageFailed(ILogger logger, string errorType);
}
