namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>The system's Redis, whichever shape it has; the faults it can suffer are in <see cref="Faults"/>.</summary>
public interface IRedisDeployment : IAsyncDisposable
{
    string Description { get; }

    /// <summary>What the services get as <c>ConnectionStrings__cache</c>.</summary>
    string ConnectionString { get; }

    Task StartAsync(CancellationToken cancellationToken);
}

/// <summary>One append-only <c>redis-server</c>, as the published manifest runs it.</summary>
public sealed class SingleRedis(RedisNode node) : IRedisDeployment
{
    public RedisNode Node { get; } = node;

    public string Description => "one node, append-only";

    public string ConnectionString => Node.Address;

    public Task StartAsync(CancellationToken cancellationToken) => Node.StartAsync(cancellationToken);

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
