using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AuthApp.ServiceDefaults.Readiness;

/// <summary>
/// Readiness for a dependency judged from real traffic, answered from memory (no call per probe):
/// <list type="bullet">
/// <item>Healthy while this replica's calls succeed, or it has made none lately.</item>
/// <item>Unhealthy when its last calls failed while another live replica of the service reaches the dependency:
/// the fault is this replica's (its network, its DNS), so it leaves the load balancer until the failures are
/// <see cref="ReadinessOptions.FailureMemory"/> old.</item>
/// <item>Degraded (still ready, HTTP 200) when no replica reaches it: an outage of the dependency itself.
/// Taking every replica out would turn fast 503s with <c>Retry-After</c> into connection errors.</item>
/// </list>
/// </summary>
internal sealed class DependencyReadinessCheck(ObservedDependency dependency, IOptions<ReadinessOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!dependency.IsFailing(settings.FailuresInARow, settings.FailureMemory))
        {
            return Task.FromResult(HealthCheckResult.Healthy());
        }

        var peers = dependency.Peers;
        return Task.FromResult(peers.Reaching > 0
            ? HealthCheckResult.Unhealthy(
                $"The last {settings.FailuresInARow} calls to {dependency.Name} from this replica failed, while {peers.Reaching} other replica(s) reach it.")
            : HealthCheckResult.Degraded(
                $"Calls to {dependency.Name} fail and no other replica reaches it either: answering 503 with Retry-After until it is back."));
    }
}
