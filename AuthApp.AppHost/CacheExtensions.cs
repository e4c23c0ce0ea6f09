using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>Where the <c>cache</c> resource's Redis comes from: <c>Cache:Mode</c> = container | executable | auto | external.</summary>
public enum CacheMode
{
    Auto,
    Container,
    Executable,

    /// <summary>
    /// A Redis the operator runs (a managed one, or a Redis Cluster): <c>ConnectionStrings:cache</c> in a local run, a
    /// connection-string parameter in the manifest. The services run unchanged on a single node or a cluster.
    /// </summary>
    External,
}

internal static class CacheExtensions
{
    /// <summary>
    /// Adds Redis. The published manifest gets the container unless <see cref="CacheMode.External"/> is asked for; a local run gets the container when a
    /// container runtime answers and Debian's <c>redis-server</c> as a process otherwise. A stale Docker
    /// socket without a daemon can fool detection, so CI names the mode.
    /// Redis holds the durable work queue (Streams), so it runs with its append-only file wherever it keeps
    /// data: on a volume in the manifest, under <see cref="LocalData"/> in a local run that persists.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCache(this IDistributedApplicationBuilder builder, string name, LocalData localData)
    {
        var mode = builder.Configuration.GetValue("Cache:Mode", CacheMode.Auto);
        if (mode == CacheMode.External)
        {
            return builder.AddConnectionString(name);
        }

        var useContainer = builder.ExecutionContext.IsPublishMode
            || mode == CacheMode.Container
            || (mode == CacheMode.Auto && ContainerRuntimeAnswers());

        return useContainer ? builder.AddRedisContainer(name, localData) : builder.AddRedisServer(name, localData);
    }

    private static IResourceBuilder<RedisResource> AddRedisContainer(this IDistributedApplicationBuilder builder, string name, LocalData localData)
    {
        var redis = builder.AddRedis(name);
        if (builder.ExecutionContext.IsRunMode)
        {
            // Plain TCP on the developer's machine: TLS would need a trusted development certificate.
#pragma warning disable ASPIRECERTIFICATES001 // Opting out is the documented way to run without one.
            redis.WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
            if (!localData.Persist)
            {
                return redis;
            }
        }

        // A named volume on /data (the image's working directory) plus snapshots, and the append-only file on top.
        // The name is fixed so that it does not depend on where the repository was cloned.
        return redis.WithDataVolume("authapp-redis-data").WithAppendOnlyFile();
    }

    /// <summary>
    /// <c>--appendonly yes</c>: every write reaches the file within a second (<c>appendfsync everysec</c>), so a
    /// restart loses at most the last second of queued jobs rather than everything since the last snapshot.
    /// In a published manifest Aspire hands Redis its arguments as one <c>sh -c</c> string, so the option is
    /// appended to that string there.
    /// </summary>
    private static IResourceBuilder<RedisResource> WithAppendOnlyFile(this IResourceBuilder<RedisResource> redis) =>
        redis.WithArgs(context =>
        {
            var script = context.Args.IndexOf("-c");
            if (script >= 0 && script + 1 < context.Args.Count && context.Args[script + 1] is string command)
            {
                context.Args[script + 1] = command + " --appendonly yes";
            }
            else
            {
                context.Args.Add("--appendonly");
                context.Args.Add("yes");
            }
        });

    private static IResourceBuilder<RedisServerResource> AddRedisServer(this IDistributedApplicationBuilder builder, string name, LocalData localData)
    {
        var redis = new RedisServerResource(name);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, cancellationToken) =>
            connectionString = await redis.ConnectionStringExpression.GetValueAsync(cancellationToken));
        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet."),
            name: healthCheckKey);

        var dataDirectory = localData.PathOf("redis");
        if (localData.Persist)
        {
            Directory.CreateDirectory(dataDirectory);
        }

        return builder.AddResource(redis)
            .WithEndpoint(name: RedisServerResource.PrimaryEndpointName, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add("--port");
                context.Args.Add(redis.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--bind");
                context.Args.Add("127.0.0.1");
                // No snapshots: the append-only file is the record when persisting, and nothing is written otherwise.
                context.Args.Add("--save");
                context.Args.Add("");
                if (localData.Persist)
                {
                    context.Args.Add("--dir");
                    context.Args.Add(dataDirectory);
                    context.Args.Add("--appendonly");
                    context.Args.Add("yes");
                }
                else
                {
                    context.Args.Add("--appendonly");
                    context.Args.Add("no");
                }
            })
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    private static bool ContainerRuntimeAnswers()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, "info --format {{.ServerVersion}}")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                });
                if (process is null)
                {
                    continue;
                }

                if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    process.Kill(entireProcessTree: true);
                    continue;
                }

                if (process.ExitCode == 0)
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }

        return false;
    }
}

/// <summary>Debian's <c>redis-server</c> run as a local process; its connection string is <c>host:port</c>.</summary>
public sealed class RedisServerResource(string name)
    : ExecutableResource(name, "redis-server", "."), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)}");
}
