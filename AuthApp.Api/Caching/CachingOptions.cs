using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.Api.Caching;

public sealed class CachingOptions
{
    public const string SectionName = "Caching";

    /// <summary>
    /// How long a user's cached profile and schedules are served. Every write to the user's data through the
    /// services (API, scheduler, jobs) evicts them at once on every replica; only writes made straight to the
    /// database (a device reporting faults) wait for this.
    /// </summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan ProfileDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How old the access record (verifiedAccess, and the account's validSince / disabled / deleted state) may
    /// get: it is refreshed in the background before then, so a change made outside the API (disabling in the
    /// console, a password change) stops earlier ID tokens within about this long.
    /// </summary>
    [TimeSpanRange("00:00:00.500", "00:01:00")]
    public TimeSpan AccessRecordFreshness { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When Firebase cannot be reached, the last known value is served for at most this long.</summary>
    [TimeSpanRange("00:00:00", "01:00:00")]
    public TimeSpan ServeStaleFor { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most memory, in MiB, a replica's in-process level of the per-user cache may hold, counted as the entries'
    /// estimated sizes (<see cref="Domain.Caching.UserCacheSizes"/>). Past it the least recently used entries are
    /// evicted, and read again from Redis (or Firebase) when next needed. 32 MiB holds about 25,000 users with an
    /// access record and a small profile each; a replica's memory grows by about the limit, not with the number of users.
    /// </summary>
    [Range(1, 16_384)]
    public int MemoryLimitMegabytes { get; set; } = (int)(Domain.Caching.UserCacheMemoryOptions.DefaultSizeLimit / (1024 * 1024));

    /// <summary>Longest wait for Firebase behind a cache miss; then the request is a 503 (never a long hang).</summary>
    [TimeSpanRange("00:00:00.100", "00:00:10")]
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(1.5);
}
