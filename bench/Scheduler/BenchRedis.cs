using System.Globalization;
using AuthApp.Testing;
using StackExchange.Redis;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// The Redis the bench runs on, as the worker would be given it (<c>--redis single</c>: one <c>redis-server</c>;
/// <c>--redis cluster</c>: a local cluster of three masters and three replicas), with what the bench measures of it:
/// the CPU time of its processes and the memory of its masters.
/// </summary>
internal sealed class BenchRedis : IAsyncDisposable
{
    private readonly RedisServerFixture? _single;
    private readonly LocalRedisCluster? _cluster;
    private IReadOnlyList<int> _processIds = [];

    private BenchRedis(RedisServerFixture? single, LocalRedisCluster? cluster) => (_single, _cluster) = (single, cluster);

    public string Name => _cluster is null ? "one redis-server" : $"a Redis Cluster of {LocalRedisCluster.NodeCount} nodes (3 masters)";

    /// <summary>What the worker's <c>cache</c> connection string would be.</summary>
    public string ConnectionString => _cluster?.ConnectionString ?? $"127.0.0.1:{_single!.Port}";

    public static async Task<BenchRedis> StartAsync(string kind)
    {
        if (kind == "cluster")
        {
            return new BenchRedis(null, await LocalRedisCluster.StartAsync()).WithProcessIds();
        }

        var single = new RedisServerFixture();
        await single.InitializeAsync();
        return await new BenchRedis(single, null).WithServerProcessIdAsync();
    }

    /// <summary>The CPU time (ms) every Redis process has used so far: replicas too, which replay every write.</summary>
    public double CpuMilliseconds() => _processIds.Sum(pid =>
    {
        // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
    });

    /// <summary>Memory used by the data, per master (one figure on a single node).</summary>
    public async Task<string> MemoryAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        var masters = admin.GetServers().Where(server => !server.IsReplica).OrderBy(server => server.EndPoint.ToString());
        var used = new List<string>();
        foreach (var server in masters)
        {
            var info = await server.InfoAsync("memory");
            used.Add(info.SelectMany(group => group).First(pair => pair.Key == "used_memory_human").Value);
        }

        return string.Join(" / ", used);
    }

    private BenchRedis WithProcessIds()
    {
        _processIds = [.. _cluster!.Nodes.Select(node => node.Pid ?? throw new InvalidOperationException($"{node} is not running."))];
        return this;
    }

    private async Task<BenchRedis> WithServerProcessIdAsync()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync($"{ConnectionString},allowAdmin=true");
        var info = await admin.GetServer(admin.GetEndPoints()[0]).InfoAsync("server");
        _processIds = [int.Parse(info.SelectMany(group => group).First(pair => pair.Key == "process_id").Value, CultureInfo.InvariantCulture)];
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_single is not null)
        {
            await _single.DisposeAsync();
        }
    }
}
