namespace AuthApp.Domain.Caching;

/// <summary>
/// How much memory a replica's level-1 (in-process) user cache may hold. Without a limit, a flood of distinct users
/// (or of tokens of distinct users) grows every replica's memory for as long as entries live; with one, the memory
/// cache evicts (expired first, then the least recently used) and an evicted entry is simply read again from Redis
/// or Firebase: a miss, never an error. The unit is the estimated byte (<see cref="UserCacheSizes"/>).
/// </summary>
public sealed class UserCacheMemoryOptions
{
    /// <summary>
    /// 32 MiB: about 25,000 users each with an access record and a small cached profile (about 1.3 KB of estimate per
    /// user), fewer for users with more venues and schedules.
    /// </summary>
    public const long DefaultSizeLimit = 32L * 1024 * 1024;

    public long SizeLimit { get; set; } = DefaultSizeLimit;
}

/// <summary>
/// Estimated sizes of the cache's entries in bytes, the unit of <see cref="UserCacheMemoryOptions.SizeLimit"/>. The
/// estimate is the payload plus <see cref="EntryOverhead"/>, measured for what every entry costs besides its value.
/// </summary>
public static class UserCacheSizes
{
    /// <summary>
    /// What one entry costs besides its value: the memory cache's entry, its key (<c>authapp:user:{uid}:{kind}</c>),
    /// FusionCache's memory entry and metadata. Measured on .NET 10 (the GC heap grown by 50,000 access records divided
    /// by their count, <c>UserCacheMemoryTests</c>): 500 bytes with a 48-byte value, so about 450 besides it.
    /// </summary>
    public const long EntryOverhead = 512;

    /// <summary>An entry of <paramref name="payload"/> estimated bytes.</summary>
    public static long Entry(long payload) => EntryOverhead + Math.Max(0, payload);

    /// <summary>A byte array (a cached JSON answer): its header and its bytes.</summary>
    public static long Of(byte[] bytes) => 24 + bytes.LongLength;

    /// <summary>A string: its header and its UTF-16 characters.</summary>
    public static long Of(string text) => 22 + (2L * text.Length);
}
