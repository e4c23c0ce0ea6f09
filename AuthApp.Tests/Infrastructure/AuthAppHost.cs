using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthApp.Tests.Infrastructure;

/// <summary>Starts the real AppHost under Aspire.Hosting.Testing and waits until every resource is healthy.</summary>
public static class AuthAppHost
{
    public static readonly string[] Resources = ["cache", "firebase-auth", "api", "scheduler"];

    /// <summary>Cold start on a 2-core machine: build-free, but DCP, node and three .NET processes.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The current state of every instance of <see cref="Resources"/>: one per resource, or one per replica
    /// for a project run <c>WithReplicas(n)</c> (state is tracked per instance, under its own id).
    /// </summary>
    public static async Task<IReadOnlyList<ResourceEvent>> InstancesAsync(DistributedApplication app, CancellationToken cancellationToken)
    {
        var instances = new Dictionary<string, ResourceEvent>();
        using var replay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // The watch replays the current state of every instance first, then waits for changes.
        replay.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(replay.Token))
            {
                if (Resources.Contains(update.Resource.Name))
                {
                    instances[update.ResourceId] = update;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return [.. instances.Values];
    }

    public static async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AuthApp_AppHost>(cancellationToken);

        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Error));

        // Nobody listens on the OTLP endpoint the testing builder hands out; exporting to it would make
        // each process linger ~10 s at shutdown while its exporter retries.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project).WithEnvironment(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }

        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        var app = await builder.BuildAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(Resources.Select(name =>
            app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        return app;
    }
}
