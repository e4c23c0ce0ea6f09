using AuthApp.WorkQueue;

namespace AuthApp.Domain.Jobs;

/// <summary>
/// Operator request: rebuild the due-schedule index from the database (e.g. after Redis lost its data or
/// clients wrote schedules straight into the database). <paramref name="RequestedBy"/> is free text for the logs.
/// </summary>
public sealed record RebuildScheduleIndexJob(string RequestedBy) : IJob
{
    public static string JobType => "schedules.rebuild-index";
}
