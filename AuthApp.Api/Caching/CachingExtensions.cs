using AuthApp.Api.Caching;
using AuthApp.Domain.Caching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

internal static class CachingExtensions
{
    /// <summary>The per-user two-level cache (shared with the worker, which evicts through it) and the API's entries in it.</summary>
    public static IHostApplicationBuilder AddAuthAppCaching(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CachingOptions>()
            .Bind(builder.Configuration.GetSection(CachingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // While Redis is unreachable, a command fails at once instead of waiting in the client's backlog for a
        // reconnection (up to the timeout plus a heartbeat): the cache carries on from memory, limits answer 503.
        builder.Services.PostConfigure<ConfigurationOptions>(redis => redis.BacklogPolicy = BacklogPolicy.FailFast);
        builder.AddUserCache();
        builder.Services.AddOptions<UserCacheMemoryOptions>()
            .Configure<IOptions<CachingOptions>>((memory, caching) => memory.SizeLimit = caching.Value.MemoryLimitMegabytes * 1024L * 1024);
        builder.Services.AddSingleton<UserCacheEntries>();
        builder.Services.AddSingleton<CachedReads>();
        return builder;
    }
}
