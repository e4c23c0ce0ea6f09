using System.Threading.RateLimiting;
using AuthApp.Redis;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// A Redis-counted limiter that lets requests through while Redis cannot be reached, for routes whose limit
/// protects little that a short outage would expose (token refresh: the refresh token itself is the credential).
/// Every other limited route fails closed: a Redis error there is a 503 with <c>Retry-After</c>.
/// </summary>
internal sealed class FailOpenRateLimiter(RateLimiter inner) : RateLimiter
{
    public override TimeSpan? IdleDuration => inner.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => inner.AttemptAcquire(permitCount);

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.AcquireAsync(permitCount, cancellationToken);
        }
        catch (Exception exception) when (exception.IsRedisOutage())
        {
            return OpenLease.Instance;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
    }

    // A partitioned limiter disposes an idle partition's limiter with DisposeAsync, which calls Dispose(false).
    protected override ValueTask DisposeAsyncCore() => inner.DisposeAsync();

    private sealed class OpenLease : RateLimitLease
    {
        public static readonly OpenLease Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
