using AuthApp.Domain.Caching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Tests;

/// <summary>FusionCache's fixed-Error line for a retried backplane subscription is a warning; its other lines keep their level.</summary>
public sealed class FusionCacheLoggerTests
{
    [Fact]
    public void A_retried_backplane_subscription_is_a_warning_and_every_other_line_keeps_its_level()
    {
        var inner = new FakeLogger<FusionCache>();
        var logger = new FusionCacheLogger(inner);
        var failure = new TimeoutException("slow");

        logger.Log(LogLevel.Error, failure, "FUSION [N={CacheName} I={CacheInstanceId}] (O={CacheOperationId}): [BP] an error occurred while subscribing to a backplane of type {BackplaneType} on channel {BackplaneChannel} ({RetriesLeft} retries left)", "c", "i", "o", "t", "ch", 2);
        logger.Log(LogLevel.Error, failure, "FUSION [N={CacheName}]: an error occurred while deserializing an entry", "c");
        logger.Log(LogLevel.Warning, "FUSION [N={CacheName}]: [BP] an error occurred while subscribing to a backplane", "c");

        Assert.Equal([LogLevel.Warning, LogLevel.Error, LogLevel.Warning], inner.Collector.GetSnapshot().Select(record => record.Level));
        Assert.Same(failure, inner.Collector.GetSnapshot()[0].Exception);
    }
}
