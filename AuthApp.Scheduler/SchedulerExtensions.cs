using AuthApp.Domain.Jobs;
using AuthApp.Firebase;
using AuthApp.Scheduler;
using AuthApp.Scheduler.Faults;
using AuthApp.Scheduler.Health;
using AuthApp.Scheduler.Jobs;
using AuthApp.Scheduler.Schedules;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

internal static class SchedulerExtensions
{
    /// <summary>The schedule loop, the fault notifier, their health check and telemetry (section <c>Scheduler</c>).</summary>
    public static IHostApplicationBuilder AddScheduler(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SchedulerOptions>()
            .Bind(builder.Configuration.GetSection(SchedulerOptions.SectionName))
            .ValidateDataAnnotations()
            .Validate(options => options.MaxRetryDelay >= options.RetryDelay, "Scheduler:MaxRetryDelay must not be shorter than Scheduler:RetryDelay.")
            // A lease renewed right before a write must outlast the write, or a second replica could take it over meanwhile.
            .Validate<IOptions<FirebaseOptions>>((options, firebase) => options.ClaimLease > firebase.Value.TotalTimeout,
                "Scheduler:ClaimLease must be longer than Firebase:TotalTimeout.")
            .ValidateOnStart();
        builder.Services.AddOptions<FaultOptions>()
            .Bind(builder.Configuration.GetSection(FaultOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddMetrics();
        builder.Services.AddSingleton<SchedulerTelemetry>();
        builder.AddUserData();
        builder.Services.AddSingleton<DueClaims>();
        builder.Services.AddSingleton<ScheduleRunner>();
        builder.Services.AddSingleton<ScheduleIndexRebuilder>();
        builder.Services.AddSingleton<IndexRebuildTrigger>();
        builder.Services.AddSingleton<FaultNotifier>();
        builder.Services.AddSingleton<HeartbeatMonitor>();
        builder.Services.AddSingleton<Heartbeat>();
        builder.Services.AddHostedService<ScheduleLoop>();
        builder.Services.AddHostedService<FaultNotifierService>();
        builder.Services.AddHealthChecks().AddCheck<HeartbeatMonitor>("scheduler-loop");
        builder.AddTracingSources(SchedulerTelemetry.Name);
        return builder;
    }

    /// <summary>The background jobs this worker runs off the durable queue.</summary>
    public static IHostApplicationBuilder AddJobHandlers(this IHostApplicationBuilder builder)
    {
        builder.AddWorkQueueConsumer();
        builder.AddTracingSources(WorkQueueExtensions.TelemetryName);
        builder.Services.AddJobHandler<SendPushJob, SendPushHandler>();
        builder.Services.AddJobHandler<AccountEmailJob, AccountEmailHandler>();
        builder.Services.AddJobHandler<AccountCleanupJob, AccountCleanupHandler>();
        builder.Services.AddJobHandler<RebuildScheduleIndexJob, RebuildScheduleIndexHandler>();
        return builder;
    }
}
