using AuthApp.ServiceDefaults.Readiness;
using AuthApp.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every AuthApp service shares: OpenTelemetry, health checks, service discovery and
/// resilient HttpClients. The API calls <see cref="AddServiceDefaults{TBuilder}"/>; the
/// scheduler worker, which serves no HTTP traffic of its own, calls it too and maps the
/// health endpoints on a small listener.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";

    /// <summary>Tag for the checks that only say the process is alive (not its dependencies).</summary>
    public const string LiveTag = "live";

    /// <summary>The HttpClients of the AuthApp.Firebase library are all named with this prefix.</summary>
    private const string FirebaseClientPrefix = "AuthApp.Firebase.";

    // The OpenTelemetry exporter's own HttpClients (OTLP over HTTP).
    private static readonly string[] OtlpExporterClients = ["OtlpTraceExporter", "OtlpMetricExporter", "OtlpLogExporter"];

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddServiceInstance();
        builder.ConfigureOpenTelemetry();
        builder.AddLogLevelDefaults();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.KeepResilienceOffTheExporter();

        return builder;
    }

    /// <summary>Additional activity sources (e.g. a library's or a worker's own) that should be traced.</summary>
    public static TBuilder AddTracingSources<TBuilder>(this TBuilder builder, params string[] sources)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(sources));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(sources));
        return builder;
    }

    /// <summary>This process's <see cref="ServiceInstance"/>: its id on every span and log line, its replica name for files.</summary>
    private static TBuilder AddServiceInstance<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(ServiceInstance.From(builder.Configuration, builder.Environment.ApplicationName));
        return builder;
    }

    private static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var instance = ServiceInstance.From(builder.Configuration, builder.Environment.ApplicationName);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            // The same id the orchestrator gave (the dashboard names replicas after it) or the host name:
            // every span, metric and log record says which replica it came from.
            .ConfigureResource(resource => resource.AddAttributes(
                [new(ServiceInstance.InstanceIdAttribute, instance.Id)]))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                // Idle work (a poll that finds nothing, a cache's backplane chatter) leaves no trace.
                .SetSampler(new IdleWorkSampler())
                .AddSource(builder.Environment.ApplicationName)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes would drown the traces people come to read.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation(options =>
                    // Query strings can carry API keys (Identity Toolkit's ?key=); never record them.
                    options.EnrichWithHttpRequestMessage = static (activity, request) =>
                    {
                        if (request.RequestUri is { } uri)
                        {
                            activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Path));
                            activity.SetTag("url.query", null);
                        }
                    }));

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// The standard resilience handler goes on every HttpClient, the exporter's too: when the dashboard or
    /// collector is gone (every shutdown of a local run) each export was retried and logged a warning per
    /// attempt. The exporter has its own retry; its clients get no second one.
    /// </summary>
    private static TBuilder KeepResilienceOffTheExporter<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        foreach (var client in OtlpExporterClients)
        {
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental; it is the documented opt-out.
            builder.Services.AddHttpClient(client).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        }

        return builder;
    }

    /// <summary>
    /// Liveness: the process. Readiness: Redis (registered with the Redis client), the services' own loops, and
    /// Firebase judged from the calls the service makes anyway (see <see cref="DependencyReadinessCheck"/>).
    /// </summary>
    private static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ReadinessOptions>()
            .Bind(builder.Configuration.GetSection(ReadinessOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var firebase = new ObservedDependency("firebase", FirebaseClientPrefix, TimeProvider.System);
        builder.Services.AddSingleton(firebase);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHttpMessageHandlerBuilderFilter, ObservingHandlerFilter>());
        builder.Services.AddHostedService(services => ActivatorUtilities.CreateInstance<PeerHealthExchange>(services, TimeProvider.System));

        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .Add(new HealthCheckRegistration("firebase",
                services => new DependencyReadinessCheck(firebase, services.GetRequiredService<IOptions<ReadinessOptions>>()),
                failureStatus: null, tags: null));
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: readiness, every registered check (Redis, Firebase, the scheduler loop).
    /// <c>/alive</c>: liveness, only the checks tagged <see cref="LiveTag"/>.
    /// Both are mapped in every environment because orchestrators probe them in production;
    /// they reveal no more than a status word.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions
        {
            ResponseWriter = WriteStatusAsync,
        }).DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
            ResponseWriter = WriteStatusAsync,
        }).DisableHttpMetrics();
        return app;
    }

    // The original backend answered {"status": "ok"}; existing clients and probes read that body. Degraded is
    // still ready (HTTP 200) and says so.
    private static Task WriteStatusAsync(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new HealthStatusBody(report.Status switch
        {
            HealthStatus.Unhealthy => "unhealthy",
            HealthStatus.Degraded => "degraded",
            _ => "ok",
        }));

    private sealed record HealthStatusBody(string Status);
}
