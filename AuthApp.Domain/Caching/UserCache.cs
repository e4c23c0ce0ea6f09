using AuthApp.Domain.Users;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Caching;

/// <summary>
/// The per-user cache every replica keeps in memory in front of Redis (FusionCache: L1 memory, L2 Redis, and a
/// Redis backplane that carries evictions to every replica), and its one eviction mechanism. Writes to the
/// database evict through <see cref="Changes.WriteFollowUpDatabase"/>, whoever makes them (API, scheduler, job handlers);
/// <see cref="EvictAsync"/> is for events that are not database writes (logout, account deletion).
/// </summary>
public sealed class UserCache(IFusionCache cache)
{
    /// <summary>The service key of the bounded memory cache behind level 1 (<see cref="UserCacheMemoryOptions"/>).</summary>
    public const string MemoryCacheKey = "authapp-user-cache";

    /// <summary>The cache itself, for the reads that fill it.</summary>
    public IFusionCache Entries => cache;

    /// <summary>
    /// The entry under <paramref name="key"/>, read with <paramref name="read"/> on a miss and kept with its estimated
    /// size (<see cref="UserCacheSizes.Entry"/> of <paramref name="payloadSize"/>), which the bounded memory level counts.
    /// </summary>
    public ValueTask<T> GetOrSetAsync<T>(
        string key, Func<CancellationToken, Task<T>> read, Func<T, long> payloadSize, FusionCacheEntryOptions options, CancellationToken cancellationToken) =>
        cache.GetOrSetAsync<T>(
            key,
            async (context, token) =>
            {
                var value = await read(token).ConfigureAwait(false);
                // Adaptive caching: the size travels with the entry, to Redis too, so a replica that reads it from
                // there counts the same size.
                context.Options.Size = UserCacheSizes.Entry(payloadSize(value));
                return value;
            },
            options: options,
            token: cancellationToken);

    /// <summary>Forgets everything cached about <paramref name="uid"/>, on every replica.</summary>
    public async Task EvictAsync(string uid, CancellationToken cancellationToken = default)
    {
        foreach (var key in UserCacheKeys.All(uid))
        {
            await cache.RemoveAsync(key, token: cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets what <paramref name="writes"/> made stale, on every replica.</summary>
    public async Task EvictWrittenAsync(IEnumerable<DatabaseWrite> writes)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, removes) in writes)
        {
            var normalized = path.Trim('/');
            if (normalized.Length == 0 || normalized == UserPaths.Users)
            {
                // The write replaced every user's record (an import, a test reset): drop everything.
                await cache.ClearAsync(allowFailSafe: false).ConfigureAwait(false);
                return;
            }

            if (UserPaths.OwnerOf(normalized) is { } uid)
            {
                keys.UnionWith(UserCacheKeys.AffectedBy(uid, normalized, removes));
            }
        }

        foreach (var key in keys)
        {
            // Never cancelled: a write that happened must be followed by its eviction.
            await cache.RemoveAsync(key, token: CancellationToken.None).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// One path a write changed, and whether it may have removed data there (a null value, a delete, or a write whose
/// outcome the caller cannot see, such as a transaction).
/// </summary>
public readonly record struct DatabaseWrite(string Path, bool Removes);
