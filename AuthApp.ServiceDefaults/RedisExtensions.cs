namespace Microsoft.Extensions.Hosting;

public static class RedisExtensions
{
    /// <summary>
    /// The Redis connection every AuthApp service shares (the cache, its backplane, the work queue, the schedule index,
    /// the rate limits, the replicas' readiness exchange), with its health check, named after the service in
    /// <c>CLIENT LIST</c>. No span per Redis command: StackExchange.Redis traces through its profiling API, which
    /// records every command made under a span and turns them into spans later, a cost paid on the hottest requests (a
    /// device write makes two commands, the cache's eviction and its broadcast) for spans that say less than their
    /// callers' do; and the worker's polling (queue, heartbeats) would add a root span a second that buries the traces
    /// people come to read.
    /// What the commands are for is traced by their owners instead: the cache's Redis level and backplane
    /// (<c>AddUserCache</c>), the work queue's publish and process spans.
    /// </summary>
    public static TBuilder AddAuthAppRedis<TBuilder>(this TBuilder builder, string connectionName = "cache")
        where TBuilder : IHostApplicationBuilder
    {
        builder.AddRedisClient(connectionName,
            configureSettings: redis => redis.DisableTracing = true,
            configureOptions: redis => redis.ClientName = builder.Environment.ApplicationName);
        return builder;
    }
}
