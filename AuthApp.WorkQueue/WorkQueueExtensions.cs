using AuthApp.WorkQueue;
using AuthApp.WorkQueue.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registration of the work queue. Both calls expect an <c>IConnectionMultiplexer</c> in DI
/// (the hosts register it with <c>builder.AddAuthAppRedis()</c>) and bind the <c>WorkQueue</c>
/// configuration section, validated on start.
/// </summary>
public static class WorkQueueExtensions
{
    /// <summary>The ActivitySource and Meter name, for OpenTelemetry (<c>builder.AddTracingSources(...)</c>).</summary>
    public const string TelemetryName = WorkQueueTelemetry.Name;

    /// <summary>Producer only (the API): <see cref="IWorkQueue"/>.</summary>
    public static IHostApplicationBuilder AddWorkQueue(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkQueueOptions>()
            .Bind(builder.Configuration.GetSection(WorkQueueOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(options => options.RetryMaxDelay >= options.RetryBaseDelay, "WorkQueue:RetryMaxDelay must not be shorter than RetryBaseDelay.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<WorkQueueTelemetry>();
        builder.Services.TryAddSingleton<IWorkQueue, RedisWorkQueue>();
        return builder;
    }

    /// <summary>
    /// Producer and consumer (the scheduler worker): a hosted service that runs the handlers registered
    /// with <see cref="AddJobHandler{TJob, THandler}"/>, plus the <c>work-queue</c> readiness check.
    /// </summary>
    public static IHostApplicationBuilder AddWorkQueueConsumer(this IHostApplicationBuilder builder)
    {
        builder.AddWorkQueue();
        builder.Services.TryAddSingleton<JobRegistry>();
        builder.Services.TryAddSingleton<ConsumerMonitor>();
        builder.Services.AddHostedService<WorkQueueConsumer>();
        builder.Services.AddHealthChecks().AddCheck<ConsumerMonitor>("work-queue");
        return builder;
    }

    /// <summary>Registers <typeparamref name="THandler"/> (scoped) as the handler of <typeparamref name="TJob"/>.</summary>
    public static IServiceCollection AddJobHandler<TJob, THandler>(this IServiceCollection services)
        where TJob : IJob
        where THandler : class, IJobHandler<TJob>
    {
        services.AddScoped<IJobHandler<TJob>, THandler>();
        services.AddSingleton(JobRegistration.For<TJob>());
        return services;
    }
}
