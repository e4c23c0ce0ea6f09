using System.Diagnostics;
using OpenTelemetry.Trace;

namespace AuthApp.ServiceDefaults.Telemetry;

/// <summary>
/// Which spans every service records: idle work leaves no trace. A span with a parent is recorded when its parent is
/// (OpenTelemetry's default, parent-based). A span that starts a trace is recorded, unless it is background polling:
/// started with <see cref="IdleWork.StartPoll"/> (tagged <see cref="PollTag"/>), or one of
/// <see cref="UntracedRootOperations"/>. Such a root is not recorded, and so neither is anything under it: the database
/// GETs and Redis calls of a look that finds nothing to do. The work a look does find is traced as a trace of its own
/// (see <see cref="IdleWork.StartPoll"/>). Metrics are unaffected: the calls still count in
/// <c>http.client.request.duration</c> and the services' own counters.
/// </summary>
/// <remarks>
/// Without it, two scheduler replicas made a "fault notifier page" trace and a "GET" trace every 5 s each, and every
/// replica a "receive from backplane" trace for every write any replica made: most of what the dashboard showed.
/// </remarks>
public sealed class IdleWorkSampler : Sampler
{
    /// <summary>The tag <see cref="IdleWork.StartPoll"/> puts on a poll's root, which makes the sampler drop it.</summary>
    public const string PollTag = "authapp.poll";

    private static readonly Sampler Default = new ParentBasedSampler(new AlwaysOnSampler());

    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    /// <summary>
    /// Roots that libraries start for background chatter. FusionCache's <c>receive from backplane</c>: a replica
    /// applying another's eviction, a trace per write per replica; the write's own trace shows its
    /// <c>publish to backplane</c>.
    /// </summary>
    public static IReadOnlySet<string> UntracedRootOperations { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "receive from backplane",
    };

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.ParentContext.TraceId == default && IsPoll(samplingParameters)
            ? Drop
            : Default.ShouldSample(samplingParameters);

    private static bool IsPoll(in SamplingParameters parameters)
    {
        if (UntracedRootOperations.Contains(parameters.Name))
        {
            return true;
        }

        foreach (var tag in parameters.Tags ?? [])
        {
            if (tag.Key == PollTag && tag.Value is true)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Background polling that leaves no trace unless it finds work (<see cref="IdleWorkSampler"/>).</summary>
public static class IdleWork
{
    private static readonly KeyValuePair<string, object?>[] PollTags = [new(IdleWorkSampler.PollTag, true)];

    /// <summary>
    /// Starts a look for work (a page of users to check, a queue to read) as a trace that is not recorded: what it
    /// calls records no span either. Dispose it before doing the work it found, in the same method, so that the work
    /// starts a recorded trace of its own (an <c>Activity</c> ended gives the flow back the one before it). Under a
    /// recorded span (a request, a job) it is an ordinary child span.
    /// </summary>
    public static Activity? StartPoll(this ActivitySource source, string name) =>
        source.StartActivity(name, ActivityKind.Internal, parentContext: default, tags: PollTags);
}
