using System.Threading.RateLimiting;

namespace AuthApp.Api.RateLimiting;

/// <summary>
/// Reports how long a Redis-counted partition's limiter has gone unused, so that the partitioned limiter holding it
/// (ASP.NET Core's per-policy limiter, <see cref="RecipientRateLimiter"/>) drops it once idle (after 10 s). The Redis
/// limiters report an idle duration of zero, always, so the partitioned limiter kept one object per client address,
/// user and recipient ever seen, for the life of the process: a flood of distinct users or addresses grew it without
/// bound. Nothing is lost when one is dropped: the counts live in Redis, and the next request makes a new one.
/// </summary>
internal sealed class IdleTrackingRateLimiter(RateLimiter inner, TimeProvider clock) : RateLimiter
{
    private long _lastUsed = clock.GetTimestamp();
    private int _inFlight;

    /// <summary>Null while an acquisition is in flight (never idle then); otherwise the time since the last one ended.</summary>
    public override TimeSpan? IdleDuration =>
        Volatile.Read(ref _inFlight) > 0 ? null : clock.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    // The Redis limiters throw NotImplementedException here.
    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        Interlocked.Exchange(ref _lastUsed, clock.GetTimestamp());
        return inner.AttemptAcquire(permitCount);
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            return await inner.AcquireAsync(permitCount, cancellationToken);
        }
        finally
        {
            Interlocked.Exchange(ref _lastUsed, clock.GetTimestamp());
            Interlocked.Decrement(ref _inFlight);
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
}
