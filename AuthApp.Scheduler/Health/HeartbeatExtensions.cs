using AuthApp.Scheduler.Health;

namespace Microsoft.Extensions.Hosting;

internal static class HeartbeatExtensions
{
    public static IHostApplicationBuilder AddSchedulerHeartbeat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HeartbeatOptions>()
            .Bind(builder.Configuration.GetSection(HeartbeatOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<HeartbeatMonitor>();
        builder.Services.AddHostedService<HeartbeatService>();
        builder.Services.AddHealthChecks().AddCheck<HeartbeatMonitor>("scheduler-loop");
        builder.AddTracingSources(HeartbeatService.ActivitySource.Name);
        return builder;
    }
}
