using System.ComponentModel.DataAnnotations;

namespace AuthApp.Scheduler.Health;

public sealed class HeartbeatOptions
{
    public const string SectionName = "Scheduler:Heartbeat";

    /// <summary>How often the worker proves it is alive by writing its heartbeat to Redis.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Readiness fails when no beat succeeded for this many intervals.</summary>
    [Range(2, 100)]
    public int MissedBeatsBeforeUnhealthy { get; set; } = 3;
}
