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
    /// A Redis Cluster in failover is an outage too, and already of these types: <c>CLUSTERDOWN</c>, <c>TRYAGAIN</c>, a
    /// <c>MOVED</c>/<c>ASK</c> the client could not follow, <c>LOADING</c> are <see cref="RedisServerException"/>s, and no
    /// node for a slot is a <see cref="RedisConnectionException"/>; they pass within seconds, so a 503 with Retry-After is
    /// the truthful answer. A <see cref="RedisCommandException"/> is not (it derives from <see cref="Exception"/>): the
    /// client refused a command it can never send, such as keys of several slots in one script or transaction. That is
    /// a bug to fix, and answering 503 would send callers to retry what can never succeed. One is an outage all the same:
    /// a write the client routed to a node that has just become a replica (a killed master that came back after its
    /// failover, before the client refreshed its map of the slots) is refused as "Command cannot be issued to a
    /// replica" (bench/Chaos found it as a 500 on sign-in); it passes when the client follows the new master.
    /// </summary>
    public static bool IsRedisOutage(this Exception exception) => exception is RedisException or RedisTimeoutException
        || exception is RedisCommandException { Message: var message } && message.StartsWith(ReplicaRefusal, StringComparison.Ordinal);

    /// <summary>StackExchange.Redis's words for a write routed to a replica (it has no type or code of its own).</summary>
    private const string ReplicaRefusal = "Command cannot be issued to a replica";

    /// <summary>
    /// As <see cref="IsRedisOutage(Exception)"/>, and also a cancellation that <paramref name="requested"/> did not ask
    /// for: a command cut short by its connection being torn down, or by a client library's own timeout, surfaces as an
    /// <see cref="OperationCanceledException"/>. For a caller whose other dependencies turn their own time-outs into
    /// their own exceptions (the API's Firebase clients do), such a cancellation can only come from the Redis side.
    /// </summary>
    public static bool IsRedisOutageOrUnaskedCancellation(this Exception exception, CancellationToken requested) =>
        exception.IsRedisOutage() || (exception is OperationCanceledException && !requested.IsCancellationRequested);
}
