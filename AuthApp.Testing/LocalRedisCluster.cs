using System.Net.Sockets;

namespace AuthApp.Testing;

/// <summary>
/// A real Redis Cluster on 127.0.0.1 from Debian's <c>redis-server</c>: three masters, three replicas, each node its own
/// process, all files in one temporary directory. For tests that must show code works unchanged against a cluster
/// (hash slots, MOVED after a failover) and for chaos runs that kill and restart nodes.
/// </summary>
public sealed partial class LocalRedisCluster : IAsyncDisposable
{
    /// <summary>Redis Cluster needs at least three masters; one replica each lets a killed master fail over.</summary>
    public const int NodeCount = 6;

    private const int SlotCount = 16384;
    private const int BusPortOffset = 10000;

    // A node's cluster bus listens on its port + 10000, so the port must leave room below 65536 (port 0, "pick one",
    // cannot work: each node announces its own port to the others and to clients).
    private const int HighestNodePort = 65535 - BusPortOffset;

    private readonly string _directory;
    private readonly int _nodeTimeoutMilliseconds;
    private readonly bool _appendOnly;
    private readonly List<ClusterNode> _nodes = [];

    private LocalRedisCluster(string directory, int nodeTimeoutMilliseconds, bool appendOnly)
    {
        _directory = directory;
        _nodeTimeoutMilliseconds = nodeTimeoutMilliseconds;
        _appendOnly = appendOnly;
    }

    /// <summary>Every node, in start order; <see cref="ClusterNode.Role"/> is as last read from the cluster.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>All six endpoints, comma-separated, as StackExchange.Redis (and the <c>cache</c> connection string) take them.</summary>
    public string ConnectionString => string.Join(',', _nodes.Select(node => $"127.0.0.1:{node.Port}"));

    /// <summary>The directory holding every node's nodes.conf, log and (with append-only files) data.</summary>
    public string Directory => _directory;

    /// <summary>
    /// Starts six nodes, joins them into one cluster and returns once every node says the cluster is ok and covers
    /// every slot, and every replica is in sync with its master (so a failover can happen from the first moment).
    /// </summary>
    /// <param name="nodeTimeout">How long a node may be unreachable before it is failed over; short, so a test's failover takes seconds.</param>
    /// <param name="appendOnly">Whether nodes keep an append-only file, so a restarted node comes back with its data.</param>
    public static async Task<LocalRedisCluster> StartAsync(
        TimeSpan? nodeTimeout = null, bool appendOnly = false, TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "authapp-redis-cluster-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var cluster = new LocalRedisCluster(directory, (int)(nodeTimeout ?? TimeSpan.FromSeconds(2)).TotalMilliseconds, appendOnly);
        try
        {
            var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(60));
            for (var i = 0; i < NodeCount; i++)
            {
                cluster._nodes.Add(await cluster.StartNewNodeAsync(deadline, cancellationToken));
            }

            await cluster.CreateAsync(deadline, cancellationToken);
            await cluster.WaitUntilHealthyAsync(deadline - DateTime.UtcNow, cancellationToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the node's process at once (SIGKILL, like <c>kill -9</c>): no goodbye to the cluster, no save.</summary>
    public async Task KillAsync(ClusterNode node)
    {
        if (node.Process is { HasExited: false } process)
        {
            // With its children: a node forks one to rewrite its append-only file or to save, and that child would
            // otherwise live on, writing into the directory that DisposeAsync deletes.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Starts a killed node again on its port with its nodes.conf, so it rejoins the cluster it was in (a former master
    /// comes back as a replica of the node that took over). Returns once it answers; the cluster may still be settling:
    /// call <see cref="WaitUntilHealthyAsync"/> when a test needs it whole again.
    /// </summary>
    public async Task RestartAsync(ClusterNode node, CancellationToken cancellationToken = default)
    {
        await KillAsync(node);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        if (!await TryLaunchAsync(node, deadline, cancellationToken))
        {
            throw new InvalidOperationException($"Redis cluster node {node.Port} did not restart: {ReadLog(node.Port)}");
        }
    }

    /// <summary>The nodes that are masters now (after a failover, a former replica), each with its role refreshed.</summary>
    public async Task<IReadOnlyList<ClusterNode>> MastersAsync(CancellationToken cancellationToken = default)
    {
        await RefreshRolesAsync(cancellationToken);
        return _nodes.Where(node => node.Role == ClusterRole.Master && node.IsRunning).ToList();
    }

    /// <summary>
    /// Deletes every key: FLUSHALL on each running master (a cluster has only database 0, so tests cannot take a
    /// database each as they do on a single server; replicas follow their masters).
    /// </summary>
    public async Task FlushAllAsync(CancellationToken cancellationToken = default)
    {
        foreach (var master in await MastersAsync(cancellationToken))
        {
            await RespClient.CommandAsync(master.Port, cancellationToken, "FLUSHALL");
        }
    }

    /// <summary>
    /// Waits until every running node reports <c>cluster_state:ok</c> with every slot served, every running replica is
    /// in sync with its master, and the roles are read afresh.
    /// </summary>
    public async Task WaitUntilHealthyAsync(TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        var pause = TimeSpan.FromMilliseconds(20);
        string? lastProblem;
        while ((lastProblem = await HealthProblemAsync(cancellationToken)) is not null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Redis cluster in {_directory} did not become healthy: {lastProblem}");
            }

            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 200));
        }
    }

    /// <summary>
    /// Waits until every running replica has every write its master has (equal replication offsets). Replication is
    /// asynchronous: a write acknowledged by a master that is killed before this holds may be lost in the failover,
    /// so a test that must not lose data waits for this before it kills a master.
    /// </summary>
    public async Task WaitForReplicationAsync(TimeSpan? within = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        foreach (var master in await MastersAsync(cancellationToken))
        {
            while (true)
            {
                var replication = ParseInfo(await RespClient.CommandAsync(master.Port, cancellationToken, "INFO", "replication"));
                var offset = replication.GetValueOrDefault("master_repl_offset");
                // slave0:ip=127.0.0.1,port=7001,state=online,offset=1234,lag=0
                var replicas = replication.Where(pair => pair.Key.StartsWith("slave", StringComparison.Ordinal) && pair.Value.Contains("offset=")).ToList();
                if (replicas.Count > 0 && replicas.All(pair => pair.Value.Contains($"offset={offset},", StringComparison.Ordinal)))
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"The replicas of {master.Port} did not catch up: offset {offset}, {string.Join("; ", replicas.Select(pair => pair.Value))}");
                }

                await Task.Delay(20, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await KillAsync(node);
            node.Process?.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is not worth failing a test run for.
        }
    }

    private async Task<string?> HealthProblemAsync(CancellationToken cancellationToken)
    {
        foreach (var node in _nodes.Where(node => node.IsRunning))
        {
            try
            {
                var info = ParseInfo(await RespClient.CommandAsync(node.Port, cancellationToken, "CLUSTER", "INFO"));
                if (info.GetValueOrDefault("cluster_state") != "ok" || info.GetValueOrDefault("cluster_slots_ok") != SlotCount.ToString())
                {
                    return $"node {node.Port}: state {info.GetValueOrDefault("cluster_state")}, {info.GetValueOrDefault("cluster_slots_ok")} slots ok";
                }
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
            {
                return $"node {node.Port}: {e.Message}";
            }
        }

        try
        {
            if (await RefreshRolesAsync(cancellationToken) is { } disagreement)
            {
                return disagreement;
            }
            foreach (var replica in _nodes.Where(node => node.IsRunning && node.Role == ClusterRole.Replica))
            {
                var replication = ParseInfo(await RespClient.CommandAsync(replica.Port, cancellationToken, "INFO", "replication"));
                if (replication.GetValueOrDefault("master_link_status") != "up")
                {
                    return $"replica {replica.Port}: master link {replication.GetValueOrDefault("master_link_status")}";
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
        {
            return e.Message;
        }

        return null;
    }

    /// <summary>
    /// Reads each running node's role from its own CLUSTER NODES line ("myself"): another node's view of it can lag
    /// (a replica's master learns of it by gossip). Returns a problem when the nodes' views disagree with those roles
    /// or still flag a running node as failing: the cluster has not settled yet.
    /// </summary>
    private async Task<string?> RefreshRolesAsync(CancellationToken cancellationToken)
    {
        var views = new Dictionary<int, List<(int Port, string[] Flags)>>();
        foreach (var node in _nodes.Where(node => node.IsRunning))
        {
            var view = (await RespClient.CommandAsync(node.Port, cancellationToken, "CLUSTER", "NODES"))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                // <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...
                .Select(line => line.Split(' '))
                .Select(fields => (Port: int.Parse(fields[1].Split('@')[0].Split(':')[^1]), Flags: fields[2].Split(',')))
                .ToList();
            views[node.Port] = view;
            node.Role = view.Single(entry => entry.Flags.Contains("myself")).Flags.Contains("master") ? ClusterRole.Master : ClusterRole.Replica;
        }

        foreach (var (viewer, view) in views)
        {
            foreach (var node in _nodes.Where(node => node.IsRunning))
            {
                var entry = view.FirstOrDefault(entry => entry.Port == node.Port);
                if (entry.Flags is null)
                {
                    return $"node {viewer} does not know node {node.Port} yet";
                }
                var seenAs = entry.Flags.Contains("master") ? ClusterRole.Master : ClusterRole.Replica;
                if (seenAs != node.Role || entry.Flags.Any(flag => flag is "fail" or "fail?" or "handshake" or "noaddr"))
                {
                    return $"node {viewer} sees node {node.Port} as {string.Join(',', entry.Flags)}, it is a {node.Role}";
                }
            }
        }

        return null;
    }
}
