using AuthApp.Domain.Caching;
using AuthApp.Domain.Changes;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Microsoft.Extensions.Hosting;

public static class UserCacheExtensions
{
    /// <summary>Redis calls the cache makes wait at most this long; past it the cache carries on without Redis.</summary>
    private static readonly TimeSpan RedisHardTimeout = TimeSpan.FromMilliseconds(250);

    /// <summary>After a Redis failure the cache skips Redis for this long rather than waiting on it again.</summary>
    private static readonly TimeSpan RedisCircuitBreak = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The per-user cache (<see cref="UserCache"/>: memory on each replica, Redis behind it, evictions broadcast over
    /// Redis) and the database decorator that, after every write, evicts and announces the change (<see cref="WriteFollowUpDatabase"/>). Needs <c>AddAuthAppRedis</c> (or <c>AddRedisClient</c>) and
    /// <c>AddFirebase</c> first. The API and the scheduler worker both call it, so that whoever writes, every
    /// replica forgets.
    /// </summary>
    /// <param name="announceAs">What this host's writes say changed a user's data on the users' change channels (<see cref="UserChangeFeed"/>).</param>
    public static IHostApplicationBuilder AddUserCache(this IHostApplicationBuilder builder, ChangeSource announceAs = ChangeSource.Api)
    {
        if (builder.Services.Any(service => service.ServiceType == typeof(UserCache)))
        {
            return builder;
        }

        // Level 1 is bounded (UserCacheMemoryOptions, the API sets it from Caching:MemoryLimitMegabytes): every entry
        // carries its estimated size in bytes (UserCacheSizes), FusionCache's own tag and clear entries size 0, and the
        // memory cache evicts what does not fit; an entry evicted is read again from Redis or Firebase. A memory cache
        // given from outside is not disposed by FusionCache: the container owns it (keyed, for diagnostics and tests).
        builder.Services.AddOptions<UserCacheMemoryOptions>()
            .Validate(memory => memory.SizeLimit > 0, "The user cache's memory limit must be positive.")
            .ValidateOnStart();
        builder.Services.AddKeyedSingleton<IMemoryCache>(UserCache.MemoryCacheKey, (services, _) => new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = services.GetRequiredService<IOptions<UserCacheMemoryOptions>>().Value.SizeLimit,
        }));
        builder.Services.AddFusionCache()
            .WithLogger(services => new FusionCacheLogger(services.GetRequiredService<ILogger<FusionCache>>()))
            .WithRegisteredKeyedMemoryCache(UserCache.MemoryCacheKey)
            .WithMemoryLocker(new InFlightMemoryLocker())
            .WithOptions(options =>
            {
                options.CacheKeyPrefix = "authapp:";
                options.DistributedCacheCircuitBreakerDuration = RedisCircuitBreak;
                options.BackplaneCircuitBreakerDuration = RedisCircuitBreak;
                // A backplane message lost while Redis was away is re-sent when it returns.
                options.EnableAutoRecovery = true;
                // A factory's hard timeout reaches the caller, which answers 503 and logs it once; a soft one serves
                // the last value while the read finishes. Neither needs a second line per request of its own. (The
                // per-operation lines FusionCache writes at Information stay below the services' default levels:
                // LogLevelDefaults in ServiceDefaults.)
                options.FactorySyntheticTimeoutsLogLevel = LogLevel.Debug;
                // Redis away or slow is an outage the cache rides out (memory level, auto-recovery), not an error
                // (and FusionCacheLogger lowers the one such line these levels do not reach).
                options.BackplaneErrorsLogLevel = LogLevel.Warning;
                options.DistributedCacheErrorsLogLevel = LogLevel.Warning;
            })
            .WithDefaultEntryOptions(entry =>
            {
                // An entry set without a size of its own would be refused by the bounded memory cache.
                entry.Size = UserCacheSizes.EntryOverhead;
                entry.DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(100);
                entry.DistributedCacheHardTimeout = RedisHardTimeout;
                entry.AllowBackgroundDistributedCacheOperations = true;
                entry.AllowBackgroundBackplaneOperations = true;
            })
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new System.Text.Json.JsonSerializerOptions { IncludeFields = true }))
            .WithDistributedCache(services => new RedisCache(Options.Options.Create(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()),
            })))
            .WithBackplane(services => new RedisBackplane(new RedisBackplaneOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()),
            }));
        builder.Services.TryAddSingleton<UserCache>();
        // Spans for what the cache does over the network (its Redis level and its backplane), under the request or job
        // that caused it; memory hits, the common case, stay free. The hosts' Redis client makes no command spans.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(
            FusionCacheDiagnostics.ActivitySourceNameDistributedLevel, FusionCacheDiagnostics.ActivitySourceNameBackplane));

        var database = builder.Services.LastOrDefault(service => service.ServiceType == typeof(IFirebaseDatabase))
            ?? throw new InvalidOperationException("AddUserCache() decorates the Firebase database: call AddFirebase() first.");
        builder.Services.Remove(database);
        builder.AddUserChangeFeed(announceAs);
        builder.Services.AddSingleton<IFirebaseDatabase>(services => new WriteFollowUpDatabase(
            (IFirebaseDatabase)Resolve(database, services), services.GetRequiredService<UserCache>(), services.GetRequiredService<UserChangeFeed>()));
        return builder;
    }

    /// <summary>
    /// The users' change channels (<see cref="UserChangeFeed"/>), this host's announcements saying
    /// <paramref name="announceAs"/> changed the data. <see cref="AddUserCache"/> calls it; a host that writes without
    /// the cache (a bench, a test harness) calls it alone.
    /// </summary>
    public static IHostApplicationBuilder AddUserChangeFeed(this IHostApplicationBuilder builder, ChangeSource announceAs)
    {
        builder.Services.TryAddSingleton(services => ActivatorUtilities.CreateInstance<UserChangeFeed>(services, announceAs));
        return builder;
    }

    private static object Resolve(ServiceDescriptor descriptor, IServiceProvider services) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
