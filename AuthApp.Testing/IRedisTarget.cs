using StackExchange.Redis;

namespace AuthApp.Testing;

/// <summary>
/// The Redis a test runs against: one <c>redis-server</c> (<see cref="RedisServerFixture"/>) or a six-node cluster
/// (<see cref="RedisClusterFixture"/>). A test class written once against this runs on both through two one-line
/// derived classes, each taking its fixture; the derived class's name says which.
/// </summary>
public interface IRedisTarget
{
    /// <summary>"single" or "cluster", for messages.</summary>
    string Name { get; }

    /// <summary>What the <c>cache</c> connection string would be (one endpoint, or every node's).</summary>
    string ConnectionString { get; }

    ConnectionMultiplexer Connection { get; }

    /// <summary>Deletes every key (a cluster has only database 0, so tests that need a clean slate flush instead).</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
