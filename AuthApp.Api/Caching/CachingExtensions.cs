using AuthApp.Api.Caching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

internal static class CachingExtensions
{
    /// <summary>Output caching in Redis (shared by every API replica) with the per-user policy.</summary>
    public static IHostApplicationBuilder AddAuthAppCaching(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CachingOptions>()
            .Bind(builder.Configuration.GetSection(CachingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The Aspire-registered multiplexer is reused rather than opening a second connection.
        builder.Services.AddStackExchangeRedisOutputCache(options => options.InstanceName = "authapp:output:");
        builder.Services.AddOptions<RedisOutputCacheOptions>()
            .Configure<IServiceProvider>((options, services) =>
                options.ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()));

        builder.Services.AddOutputCache(options => options.AddPolicy(
            PerUserOutputCachePolicy.Name,
            policy => policy.AddPolicy<PerUserOutputCachePolicy>(),
            excludeDefaultPolicy: true));
        builder.Services.AddSingleton<UserCache>();
        return builder;
    }
}
