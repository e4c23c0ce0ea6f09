using AuthApp.Api.Security;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.Caching;

/// <summary>
/// Output caching for authenticated reads, keyed by the user (never by URL alone: the guide's
/// <c>@cache.cached(query_string=True)</c> would serve one user's profile to another) and tagged
/// with the user's id so that <see cref="UserCache.EvictAsync"/> drops it on any write.
/// The default policy refuses requests that carry <c>Authorization</c>; this one is meant for them.
/// </summary>
internal sealed class PerUserOutputCachePolicy(IOptions<CachingOptions> options) : IOutputCachePolicy
{
    public const string Name = "per-user";

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var user = context.HttpContext.User;
        var isGet = HttpMethods.IsGet(context.HttpContext.Request.Method);
        if (!isGet || user.Identity?.IsAuthenticated != true)
        {
            return ValueTask.CompletedTask;
        }

        var uid = user.Uid();
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = true;
        context.AllowCacheStorage = true;
        context.AllowLocking = true;
        context.CacheVaryByRules.VaryByValues["uid"] = uid;
        context.Tags.Add(UserCache.Tag(uid));
        context.ResponseExpirationTimeSpan = options.Value.ProfileDuration;
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        // Only successful answers are worth keeping.
        if (context.HttpContext.Response.StatusCode != StatusCodes.Status200OK)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}
