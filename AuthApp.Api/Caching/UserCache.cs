using System.Text.Json.Nodes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Api.Caching;

/// <summary>
/// What the API caches about a user, in Redis so every replica sees the same thing: the
/// <c>verifiedAccess</c> flag checked on every authenticated request, and the output-cached reads
/// tagged with the user's id. <see cref="EvictAsync"/> is called after every write to the user's data,
/// so a client never reads its own stale write.
/// </summary>
public sealed class UserCache(
    IConnectionMultiplexer redis,
    IOutputCacheStore outputCache,
    IFirebaseDatabase database,
    IOptions<CachingOptions> options)
{
    private const string AccessKeyPrefix = "authapp:access:";

    public static string Tag(string uid) => "user:" + uid;

    public async Task<bool> HasVerifiedAccessAsync(string uid, CancellationToken cancellationToken)
    {
        var redisDb = redis.GetDatabase();
        var cached = await redisDb.StringGetAsync(AccessKeyPrefix + uid);
        if (cached.HasValue)
        {
            return cached == "1";
        }

        var value = await database.GetAsync(UserPaths.Field(uid, UserFields.VerifiedAccess), cancellationToken: cancellationToken);
        var verified = value is JsonValue flag && flag.TryGetValue(out bool granted) && granted;
        await redisDb.StringSetAsync(AccessKeyPrefix + uid, verified ? "1" : "0", options.Value.AccessRecordDuration);
        return verified;
    }

    /// <summary>Forgets everything cached about <paramref name="uid"/>: its access record and its cached reads.</summary>
    public async Task EvictAsync(string uid, CancellationToken cancellationToken)
    {
        await redis.GetDatabase().KeyDeleteAsync(AccessKeyPrefix + uid);
        await outputCache.EvictByTagAsync(Tag(uid), cancellationToken);
    }
}
