using System.Threading.RateLimiting;
using AuthApp.Api.RateLimiting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AuthApp.Api.Tests.RateLimiting;

/// <summary>
/// A limiter per client address, user or recipient is kept in memory only while it is in use: the Redis limiters
/// report themselves never idle, and the partitioned limiters holding them kept one per key ever seen.
/// </summary>
public sealed class RateLimiterMemoryTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly WindowLimit TenPerMinute = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) };

    [Fact]
    public async Task A_redis_partitions_limiter_reports_how_long_it_has_been_unused()
    {
        var clock = new FakeTimeProvider();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{dependencies.Redis.Port}");
        var partition = RateLimitingExtensions.Partition($"test:idle:{Guid.NewGuid():N}", TenPerMinute, redis, clock);
        using var limiter = partition.Factory(partition.PartitionKey);

        using (var lease = await limiter.AcquireAsync(1, Cancellation))
        {
            Assert.True(lease.IsAcquired);
        }

        clock.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal(TimeSpan.FromSeconds(11), limiter.IdleDuration);
    }

    [Fact]
    public async Task A_limiter_is_never_idle_while_an_acquisition_is_in_flight()
    {
        var clock = new FakeTimeProvider();
        var inner = new HeldLimiter();
        using var limiter = new IdleTrackingRateLimiter(inner, clock);
        clock.Advance(TimeSpan.FromSeconds(30));

        var acquiring = limiter.AcquireAsync(1, Cancellation).AsTask();
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(limiter.IdleDuration);

        inner.Release.SetResult();
        (await acquiring).Dispose();
        clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(2), limiter.IdleDuration);
    }

    [Fact]
    public async Task A_partitioned_limiter_drops_a_partition_once_it_has_been_idle_and_makes_a_new_one_when_needed()
    {
        var clock = new FakeTimeProvider();
        var made = 0;
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key, _ =>
        {
            Interlocked.Increment(ref made);
            return new IdleTrackingRateLimiter(new HeldLimiter(released: true, onDispose: () => disposed.TrySetResult()), clock);
        }));

        (await limiter.AcquireAsync("203.0.113.7", 1, Cancellation)).Dispose();
        clock.Advance(TimeSpan.FromSeconds(11));

        // The partitioned limiter looks for idle partitions every 100 ms of real time.
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancellation);
        (await limiter.AcquireAsync("203.0.113.7", 1, Cancellation)).Dispose();
        Assert.Equal(2, made);
    }

    /// <summary>A limiter that grants once <see cref="Release"/> is set, and says when it is disposed.</summary>
    private sealed class HeldLimiter(bool released = false, Action? onDispose = null) : RateLimiter
    {
        public TaskCompletionSource Release { get; } = NewRelease(released);

        public override TimeSpan? IdleDuration => TimeSpan.Zero; // as the Redis limiters say, always

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => new Granted();

        protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        {
            await Release.Task.WaitAsync(cancellationToken);
            return new Granted();
        }

        protected override void Dispose(bool disposing) => onDispose?.Invoke();

        private static TaskCompletionSource NewRelease(bool released)
        {
            var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (released)
            {
                release.SetResult();
            }

            return release;
        }

        private sealed class Granted : RateLimitLease
        {
            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
