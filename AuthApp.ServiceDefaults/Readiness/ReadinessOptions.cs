using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.ServiceDefaults.Readiness;

/// <summary>How readiness judges a remote dependency from the calls the service makes anyway (section <c>Readiness</c>).</summary>
public sealed class ReadinessOptions
{
    public const string SectionName = "Readiness";

    /// <summary>Calls in a row that must fail (after the client's own retries) before the dependency counts as failing.</summary>
    [Range(1, 1000)]
    public int FailuresInARow { get; set; } = 5;

    /// <summary>
    /// How long a run of failures counts against this replica after the last one. A replica taken out of the load
    /// balancer makes no more calls; after this it reports ready again and gets traffic that tells anew.
    /// </summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan FailureMemory { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each replica tells its peers (through Redis) what it sees, and reads what they see.</summary>
    [TimeSpanRange("00:00:00.100", "00:05:00")]
    public TimeSpan PeerExchangeInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A peer counts as reaching the dependency when one of its calls succeeded this recently.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan PeerEvidenceWindow { get; set; } = TimeSpan.FromSeconds(60);
}
