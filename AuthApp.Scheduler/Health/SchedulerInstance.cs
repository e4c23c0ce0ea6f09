namespace AuthApp.Scheduler.Health;

/// <summary>A name for this replica that is unique among the replicas running at once.</summary>
internal static class SchedulerInstance
{
    public static readonly string Id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";
}
