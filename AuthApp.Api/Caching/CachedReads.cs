using System.Text.Json;
using AuthApp.Domain.Caching;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.Caching;

/// <summary>
/// A user's cached reads (profile, schedules), kept as the JSON the endpoint answers, so that a hit is a memory
/// read and a copy of bytes. The key is the user (<see cref="UserCacheKeys"/>), never the URL or the Host.
/// </summary>
public sealed class CachedReads(UserCache cache, UserCacheEntries entries, IOptions<JsonOptions> json)
{
    public const string ContentType = "application/json; charset=utf-8";

    public async Task<IResult> JsonAsync<T>(string key, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        var body = await cache.GetOrSetAsync<byte[]>(
            key,
            async token => JsonSerializer.SerializeToUtf8Bytes(await read(token), json.Value.SerializerOptions),
            UserCacheSizes.Of,
            entries.Reads,
            cancellationToken);
        return TypedResults.Bytes(body, ContentType);
    }
}
