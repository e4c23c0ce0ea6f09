using AuthApp.Domain.Caching;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Api.Caching;

/// <summary>
/// How the API keeps its entries in the shared <see cref="Domain.Caching.UserCache"/>. A hit is a memory read: no
/// network round trip. Filling an entry is not broadcast (only evictions are), so one replica's miss costs the
/// others nothing. When Firebase fails, the last value is served for <see cref="CachingOptions.ServeStaleFor"/>;
/// without one, the wait is bounded by <see cref="CachingOptions.UpstreamTimeout"/>.
/// </summary>
public sealed class UserCacheEntries(IOptions<CachingOptions> options)
{
    /// <summary>With a stale value at hand, a slow upstream is given this long before the stale value is served.</summary>
    private static readonly TimeSpan StaleFallbackAfter = TimeSpan.FromMilliseconds(300);

    /// <summary>The cached reads: profile and schedules.</summary>
    public FusionCacheEntryOptions Reads { get; } = Entry(options.Value, options.Value.ProfileDuration, eagerRefresh: null);

    /// <summary>The access record, refreshed in the background once half its freshness is used.</summary>
    public FusionCacheEntryOptions Access { get; } = Entry(options.Value, options.Value.AccessRecordFreshness, eagerRefresh: 0.5f);

    private static FusionCacheEntryOptions Entry(CachingOptions options, TimeSpan duration, float? eagerRefresh) => new()
    {
        Duration = duration,
        // Replaced by the entry's own estimate when it is read (UserCache.GetOrSetAsync); a floor for anything else.
        Size = UserCacheSizes.EntryOverhead,
        EagerRefreshThreshold = eagerRefresh,
        IsFailSafeEnabled = options.ServeStaleFor > TimeSpan.Zero,
        FailSafeMaxDuration = duration + options.ServeStaleFor,
        FailSafeThrottleDuration = TimeSpan.FromSeconds(1),
        FactorySoftTimeout = StaleFallbackAfter,
        FactoryHardTimeout = options.UpstreamTimeout,
        AllowTimedOutFactoryBackgroundCompletion = true,
        DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(100),
        DistributedCacheHardTimeout = TimeSpan.FromMilliseconds(250),
        AllowBackgroundDistributedCacheOperations = true,
        AllowBackgroundBackplaneOperations = true,
        SkipBackplaneNotifications = true,
    };
}
