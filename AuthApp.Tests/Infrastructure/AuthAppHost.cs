using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthApp.Tests.Infrastructure;

/// <summary>Starts the real AppHost under Aspire.Hosting.Testing and waits until every resource is healthy.</summary>
public static class AuthAppHost
{
    public static readonly string[] Resources = ["cache", "firebase-auth", "firebase-database", "api", "scheduler"];

    /// <summary>Cold start on a 2-core machine: build-free, but DCP, node and three .NET processes.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The instances of a resource: one, or one per replica (<c>api-x1y2z3</c>, ...).</summary>
    public static async Task<IReadOnlyList<ResourceEvent>> InstancesAsync(this DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        // WatchAsync replays the current state of every resource before it waits for changes.
        var latest = new Dictionary<string, ResourceEvent>();
        using var replay = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        replay.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            await foreach (var update in app.ResourceNotifications.WatchAsync(replay.Token))
            {
                if (update.Resource.Name == resource)
                {
                    latest[update.ResourceId] = update;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        return latest.Values.ToList();
    }

    /// <summary>How long a taken and unacknowledged message waits before a live scheduler replica takes it over.</summary>
    public static readonly TimeSpan ReclaimAfter = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Where this test run's AppHost writes its emulators' addresses for the API's command line: its own file, so
    /// that a developer's <c>./run.sh</c> in the same checkout keeps its own.
    /// </summary>
    public static readonly string EmulatorSettingsFile = Path.Combine(Path.GetTempPath(), $"authapp-tests-{Environment.ProcessId}", "emulators.json");

    public static async Task<DistributedApplication> StartAsync(CancellationToken cancellationToken)
    {
        // Every run starts empty: no Redis data, accounts or database kept from an earlier run.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AuthApp_AppHost>(
            ["LocalData:Persist=false", $"Emulators:SettingsFile={EmulatorSettingsFile}"], cancellationToken);

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

        // Every test request comes from loopback: the API trusts it as a proxy so that each test client can
        // present its own address in X-Forwarded-For and the per-address rate limits stay per test.
        var api = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api");
        builder.CreateResourceBuilder(api)
            .WithEnvironment("ReverseProxy__TrustedProxies__0", "127.0.0.1")
            .WithEnvironment("ReverseProxy__TrustedProxies__1", "::1")
            // The log file is AuthApp.Api.Tests' concern; here it would only be written into the checkout.
            .WithEnvironment("Logging__File__Enabled", "false")
            // Which source a live change is told with must not depend on how loaded the machine is: with every test
            // assembly running at once the worker's announcement came later than the product's 250-ms grace.
            .WithEnvironment("Events__AttributionGrace", "00:00:02");

        // The services start beside the Auth emulator rather than after it: node takes the longest of all resources
        // to start (about 15 s of CPU), and every test waits until all of them are healthy anyway. In a developer's
        // run they wait for it, so that the API's first answer means a signup can succeed.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            foreach (var wait in project.Annotations.OfType<WaitAnnotation>().Where(wait => wait.Resource.Name == "firebase-auth").ToList())
            {
                project.Annotations.Remove(wait);
            }
        }

        // A message a consumer took and never acknowledged is reclaimed after seconds rather than the 30 s + 10 s
        // of the defaults, so that the test of a killed consumer waits on its event, not on the clock.
        var scheduler = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "scheduler");
        builder.CreateResourceBuilder(scheduler)
            .WithEnvironment("WorkQueue__ClaimMinIdleTime", ReclaimAfter.ToString("c", System.Globalization.CultureInfo.InvariantCulture))
            .WithEnvironment("WorkQueue__ClaimInterval", "00:00:01");

        // No resilience handler on the tests' own clients: a retried 429 or 503 would hide what the API answered.
        var app = await builder.BuildAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        await app.StartAsync(timeout.Token);
        await Task.WhenAll(Resources.Select(name =>
            app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token)));
        return app;
    }
}
