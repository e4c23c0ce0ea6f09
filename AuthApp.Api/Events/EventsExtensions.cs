using AuthApp.Api.Events;

namespace Microsoft.Extensions.Hosting;

public static class EventsExtensions
{
    /// <summary>The live streams of <c>GET /auth/events</c> (<see cref="UserEventHub"/>), configured from <c>Events</c>.</summary>
    public static IHostApplicationBuilder AddLiveEvents(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EventStreamOptions>()
            .Bind(builder.Configuration.GetSection(EventStreamOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<UserEventHub>();
        builder.AddTracingSources(UserEventHub.TelemetryName);
        builder.Services.AddHostedService(services => services.GetRequiredService<UserEventHub>());
        return builder;
    }
}
