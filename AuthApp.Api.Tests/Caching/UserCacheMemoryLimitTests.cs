using AuthApp.Api.Caching;
using AuthApp.Domain.Caching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Api.Tests.Caching;

/// <summary>
/// <c>Caching:MemoryLimitMegabytes</c> bounds a replica's in-process cache: entries past it are evicted, and reading
/// them again still answers (from Redis, or the source), never an error.
/// </summary>
public sealed class UserCacheMemoryLimitTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_api_cache_holds_at_most_its_configured_limit_and_reads_past_it_still_answer()
    {
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?> { ["Caching:MemoryLimitMegabytes"] = "1" });
        var cache = api.Services.GetRequiredService<UserCache>();
        var entries = api.Services.GetRequiredService<UserCacheEntries>();
        var memory = (MemoryCache)api.Services.GetRequiredKeyedService<IMemoryCache>(UserCache.MemoryCacheKey);
        var run = Guid.NewGuid().ToString("N")[..12];
        string Key(int user) => UserCacheKeys.Profile($"limit{run}u{user:D4}");
        var entrySize = UserCacheSizes.Entry(UserCacheSizes.Of(new byte[10_000]));
        var ownEntries = () => memory.Keys.Count(key => key.ToString()!.Contains($"limit{run}", StringComparison.Ordinal));

        for (var user = 0; user < 300; user++)
        {
            var value = (byte)user;
            var body = await cache.GetOrSetAsync(Key(user), _ => Task.FromResult(Enumerable.Repeat(value, 10_000).ToArray()),
                UserCacheSizes.Of, entries.Reads, Cancellation);
            Assert.Equal(value, body[^1]);
            Assert.True(ownEntries() <= 1024 * 1024 / entrySize, $"{ownEntries()} entries of {entrySize} bytes under a 1 MiB limit");
        }

        Assert.True(ownEntries() > 0, "the bounded cache holds nothing");

        // Every user again: a memory hit, or a miss read from Redis or the source; the right bytes either way.
        for (var user = 0; user < 300; user++)
        {
            var value = (byte)user;
            var body = await cache.GetOrSetAsync(Key(user), _ => Task.FromResult(Enumerable.Repeat(value, 10_000).ToArray()),
                UserCacheSizes.Of, entries.Reads, Cancellation);
            Assert.Equal(value, body[^1]);
        }
    }
}
