using AuthApp.Domain.Jobs;
using AuthApp.Scheduler.Schedules;
using AuthApp.WorkQueue;

namespace AuthApp.Scheduler.Jobs;

/// <summary>Operator-requested index rebuild. If another replica is rebuilding, that rebuild serves the request.</summary>
internal sealed partial class RebuildScheduleIndexHandler(ScheduleIndexRebuilder rebuilder, ILogger<RebuildScheduleIndexHandler> logger)
    : IJobHandler<RebuildScheduleIndexJob>
{
    public async Task HandleAsync(RebuildScheduleIndexJob job, JobContext context, CancellationToken cancellationToken)
    {
        LogRequested(logger, job.RequestedBy, context.JobId);
        await rebuilder.RebuildAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule index rebuild requested by {RequestedBy} (job {JobId})")]
    private static partial void LogRequested(ILogger logger, string requestedBy, string jobId);
}
