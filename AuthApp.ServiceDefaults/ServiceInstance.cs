using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which copy of a service this process is. <see cref="Id"/> is OpenTelemetry's <c>service.instance.id</c>:
/// the orchestrator's name for the replica when it gives one (the AppHost sets it in
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>, and the dashboard names replicas after it), else the host name, which is
/// the container's or pod's name. <see cref="Replica"/> names the replica for per-replica files, when the
/// orchestrator gives a name that stays the same across restarts: the AppHost's replica index
/// (<c>ServiceInstance:Replica</c>); elsewhere there is none (a container has a file system of its own).
/// </summary>
public sealed record ServiceInstance(string ServiceName, string Id, string? Replica)
{
    public const string InstanceIdAttribute = "service.instance.id";

    public static ServiceInstance From(IConfiguration configuration, string applicationName)
    {
        var serviceName = NonEmpty(configuration["OTEL_SERVICE_NAME"]) ?? applicationName;
        var id = FromResourceAttributes(configuration["OTEL_RESOURCE_ATTRIBUTES"])
            ?? NonEmpty(configuration["HOSTNAME"])
            ?? $"{Environment.MachineName}-{Environment.ProcessId}";
        return new ServiceInstance(serviceName, id, NonEmpty(configuration["ServiceInstance:Replica"]));
    }

    // OTEL_RESOURCE_ATTRIBUTES is "key1=value1,key2=value2" (W3C baggage-like, values percent-encoded).
    private static string? FromResourceAttributes(string? attributes)
    {
        foreach (var pair in (attributes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator > 0 && pair[..separator].Trim() == InstanceIdAttribute)
            {
                return NonEmpty(Uri.UnescapeDataString(pair[(separator + 1)..].Trim()));
            }
        }

        return null;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
