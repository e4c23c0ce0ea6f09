using AuthApp.Domain.Caching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Tests;

/// <summary>
/// The per-user cache's memory level: what its size estimate counts, and the lock table it leaves behind. Serial: one
/// test reads the whole GC heap, which tests running beside it would grow.
/// </summary>
[Collection(nameof(HeapMeasuringTests))]
public sealed class UserCacheMemoryTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>As the API keeps entries: fail-safe, eager refresh, a size (UserCacheEntries).</summary>
    private static readonly FusionCacheEntryOptions Entry = new()
    {
        Duration = TimeSpan.FromMinutes(1),
        EagerRefreshThreshold = 0.5f,
        IsFailSafeEnabled = true,
        FailSafeMaxDuration = TimeSpan.FromMinutes(6),
        Size = UserCacheSizes.EntryOverhead,
    };

    private static (UserCache Cache, MemoryCache Memory, InFlightMemoryLocker Locker) MemoryOnlyCache(long sizeLimit)
    {
        var memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = sizeLimit });
        var locker = new InFlightMemoryLocker();
        var fusion = new FusionCache(Options.Create(new FusionCacheOptions { CacheKeyPrefix = "authapp:" }), memory, memoryLocker: locker);
        return (new UserCache(fusion), memory, locker);
    }

    private static string Uid(int i) => $"u{i:D7}abcdefghijklmnopqrstu"; // 28 characters, as Firebase's

    private sealed record SmallRecord(bool Exists, bool Disabled, DateTimeOffset? ValidSince, bool VerifiedAccess);

    [Fact]
    public async Task The_size_estimate_of_an_entry_is_within_a_tenth_of_what_it_costs_on_the_heap()
    {
        const int count = 50_000;
        var (cache, memory, _) = MemoryOnlyCache(long.MaxValue);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long estimated = 0;
        for (var i = 0; i < count; i++)
        {
            await cache.GetOrSetAsync(UserCacheKeys.Access(Uid(i)), _ => Task.FromResult(new SmallRecord(true, false, null, true)),
                static _ => 48, Entry, Cancellation);
            estimated += UserCacheSizes.Entry(48);
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(memory);

        // Each entry's estimate (512 + 48 bytes) covers what it holds: the key, the memory cache's and FusionCache's
        // entries, the metadata and the value. Measured on .NET 10: 500 bytes each.
        Assert.Equal(count, memory.Count);
        // The limit counts estimates: the heap it bounds may exceed it by the estimate's error, which stays under a tenth
        // (the heap also holds what anything else in the process allocated meanwhile).
        Assert.True(grown <= estimated * 1.1, $"{count:N0} entries grew the heap by {grown:N0} bytes, estimated {estimated:N0} ({grown / count} per entry)");
        Assert.True(grown >= estimated / 2, $"the estimate is far too high: {grown / count} bytes per entry measured");
    }

    [Fact]
    public async Task The_memory_level_holds_at_most_its_limit_and_an_evicted_entry_is_read_again()
    {
        const int limit = 1024 * 1024;
        var (cache, memory, _) = MemoryOnlyCache(limit);
        var firstEvicted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        cache.Entries.Events.Memory.Eviction += (_, evicted) =>
        {
            if (evicted.Key.EndsWith(UserCacheKeys.Profile(Uid(0)), StringComparison.Ordinal))
            {
                firstEvicted.TrySetResult();
            }
        };
        var entrySize = UserCacheSizes.Entry(UserCacheSizes.Of(new byte[10_000]));
        var reads = 0;

        for (var i = 0; i < 300; i++)
        {
            var user = i;
            var body = await cache.GetOrSetAsync(UserCacheKeys.Profile(Uid(user)), _ =>
            {
                Interlocked.Increment(ref reads);
                return Task.FromResult(Enumerable.Repeat((byte)user, 10_000).ToArray());
            }, UserCacheSizes.Of, Entry, Cancellation);
            Assert.Equal((byte)user, body[0]);
            Assert.True(memory.Count <= limit / entrySize, $"{memory.Count} entries of {entrySize} bytes in a {limit}-byte cache");
        }

        Assert.Equal(300, reads);
        Assert.True(memory.Count > 0, "the bounded cache holds nothing");

        // The memory cache refuses a new entry that does not fit and compacts in the background, least recently used
        // first: the first user's entry goes.
        await firstEvicted.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);

        // The first user's entry was evicted long ago: reading it is a miss, read again, never an error.
        var again = await cache.GetOrSetAsync(UserCacheKeys.Profile(Uid(0)), _ =>
        {
            Interlocked.Increment(ref reads);
            return Task.FromResult(Enumerable.Repeat((byte)0, 10_000).ToArray());
        }, UserCacheSizes.Of, Entry, Cancellation);
        Assert.Equal(0, again[0]);
        Assert.Equal(301, reads);
    }

    [Fact]
    public async Task Concurrent_misses_for_one_key_read_once_and_leave_no_lock_behind()
    {
        var (cache, _, locker) = MemoryOnlyCache(long.MaxValue);
        var reads = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var callers = Enumerable.Range(0, 20).Select(_ => cache.GetOrSetAsync(UserCacheKeys.Access(Uid(1)), async _ =>
        {
            Interlocked.Increment(ref reads);
            await release.Task;
            return new SmallRecord(true, false, null, true);
        }, static _ => 48, Entry, Cancellation).AsTask()).ToList();
        var others = Enumerable.Range(2, 1_000).Select(user => cache.GetOrSetAsync(UserCacheKeys.Access(Uid(user)),
            _ => Task.FromResult(new SmallRecord(true, false, null, true)), static _ => 48, Entry, Cancellation).AsTask());
        await Task.WhenAll(others); // other keys are not held up by the one being read
        Assert.Equal(1, locker.Count);

        release.SetResult();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10), Cancellation);

        Assert.Equal(1, reads);
        Assert.Equal(0, locker.Count);
    }
}

/// <summary>Tests that read the whole GC heap run alone.</summary>
[CollectionDefinition(nameof(HeapMeasuringTests), DisableParallelization = true)]
public sealed class HeapMeasuringTests;
