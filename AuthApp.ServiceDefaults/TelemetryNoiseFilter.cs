using System.Diagnostics;
using OpenTelemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Keeps spans that nobody comes to read out of the export: Redis <c>PING</c>s (the readiness probe's
/// Redis check runs one per probe, every few seconds per replica) and Redis commands that belong to no
/// trace (background upkeep such as the replicas' health exchange). A Redis command made while serving a
/// request or running a job has a parent and is kept. Runs before the exporter, which skips spans that are
/// no longer marked recorded.
/// </summary>
internal sealed class TelemetryNoiseFilter : BaseProcessor<Activity>
{
    /// <summary>The source of the Redis client instrumentation that Aspire.StackExchange.Redis registers.</summary>
    internal const string RedisSource = "OpenTelemetry.Instrumentation.StackExchangeRedis";

    public override void OnEnd(Activity activity)
    {
        if (IsNoise(activity))
        {
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }

    internal static bool IsNoise(Activity activity) =>
        activity.Source.Name == RedisSource
        && (activity.DisplayName == "PING" || activity.ParentSpanId == default);
}
