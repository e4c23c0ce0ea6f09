using StackExchange.Redis;

namespace AuthApp.Redis;

/// <summary>
/// The one rule for "Redis is away" (down, unreachable or too slow), as opposed to a call that is wrong. Every caller
/// that degrades, retries, undoes or answers 503 when Redis is away asks here, so that they all agree on what an outage
/// is. This source file is compiled into each project that talks to Redis (the work queue, the API, the worker, the
/// service defaults' readiness exchange): a library such as the work queue must not depend on the hosts' service
/// defaults (their telemetry exporters, service discovery and resilience), and the defaults must not depend on the
/// work queue.
/// </summary>
internal static class RedisOutage
{
    /// <summary>
    /// StackExchange.Redis reports a dead connection as a <see cref="RedisException"/> (a
    /// <see cref="RedisConnectionException"/>), and a server that refuses to work (<c>LOADING</c>, <c>NOGROUP</c> after a
    /// flush, out of memory) as a <see cref="RedisServerException"/>, which is one too. A slow or silent server is a
    /// <see cref="RedisTimeoutException"/>, which derives from <see cref="TimeoutException"/> instead: a
    /// <c>catch (RedisException)</c> alone lets every timeout through, and a loop behind it dies of the first slow answer.
    /// </summary>
    public static bool IsRedisOutage(this Exception exception) => exception is RedisException or RedisTimeoutException;

    /// <summary>
    /// As <see cref="IsRedisOutage(Exception)"/>, and also a cancellation that <paramref name="requested"/> did not ask
    /// for: a command cut short by its connection being torn down, or by a client library's own timeout, surfaces as an
    /// <see cref="OperationCanceledException"/>. For a caller whose other dependencies turn their own time-outs into
    /// their own exceptions (the API's Firebase clients do), such a cancellation can only come from the Redis side.
    /// </summary>
    public static bool IsRedisOutageOrUnaskedCancellation(this Exception exception, CancellationToken requested) =>
        exception.IsRedisOutage() || (exception is OperationCanceledException && !requested.IsCancellationRequested);
}
