using AuthApp.Api.Caching;

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

        builder.AddUserCache();
        builder.Services.AddSingleton<UserCacheEntries>();
        builder.Services.AddSingleton<CachedReads>();
        return builder;
    }
}
