using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.Scheduler.Faults;

/// <summary>The <c>Scheduler:Faults</c> configuration section, validated on start.</summary>
public sealed class FaultOptions
{
    public const string SectionName = "Scheduler:Faults";

    public bool Enabled { get; set; } = true;

    /// <summary>How often one page of users is examined.</summary>
    [TimeSpanRange("00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Users examined per page; a full pass over N users takes N / PageSize intervals.</summary>
    [Range(1, 5_000)]
    public int PageSize { get; set; } = 200;

    /// <summary>Users of a page examined concurrently (one read of their venues each).</summary>
    [Range(1, 256)]
    public int ReadParallelism { get; set; } = 16;

    /// <summary>At most one "Fault Detected" push per user per cooldown.</summary>
    [TimeSpanRange("00:00:01", "7.00:00:00")]
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromHours(1);
}
