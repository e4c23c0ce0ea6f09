using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AuthApp.Testing;

/// <summary>Starting the nodes of a <see cref="LocalRedisCluster"/>: ports, processes, logs, and joining them into one cluster.</summary>
public sealed partial class LocalRedisCluster
{
    private async Task CreateAsync(DateTime deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("--cluster");
        start.ArgumentList.Add("create");
        foreach (var node in _nodes)
        {
            start.ArgumentList.Add($"127.0.0.1:{node.Port}");
        }
        foreach (var argument in new[] { "--cluster-replicas", "1", "--cluster-yes" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline - DateTime.UtcNow);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output}{await errors}");
        }
    }

    /// <summary>
    /// Picks a port, starts a node on it and waits until it answers; on a port taken meanwhile (its log says it could not
    /// bind) tries another. A free port found here may be taken before the node binds, and the bus port is another chance to lose.
    /// </summary>
    private async Task<ClusterNode> StartNewNodeAsync(DateTime deadline, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var node = new ClusterNode(NodePort());
            if (await TryLaunchAsync(node, deadline, cancellationToken))
            {
                return node;
            }

            var log = ReadLog(node.Port);
            node.Process?.Dispose();
            if (attempt >= 10 || !log.Contains("bind", StringComparison.OrdinalIgnoreCase) && !log.Contains("in use", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"Redis cluster node on port {node.Port} did not start: {log}");
            }

            File.Delete(NodesFile(node.Port));
        }
    }

    /// <summary>Launches the node's process and waits until it answers PING; false if it exited first (it could not bind).</summary>
    private async Task<bool> TryLaunchAsync(ClusterNode node, DateTime deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[]
                 {
                     "--port", node.Port.ToString(), "--bind", "127.0.0.1",
                     "--cluster-enabled", "yes", "--cluster-config-file", NodesFile(node.Port),
                     "--cluster-node-timeout", _nodeTimeoutMilliseconds.ToString(),
                     "--appendonly", _appendOnly ? "yes" : "no", "--appendfilename", $"appendonly-{node.Port}.aof",
                     "--appenddirname", $"appendonly-{node.Port}", "--dbfilename", $"dump-{node.Port}.rdb",
                     "--dir", _directory, "--save", "", "--logfile", LogFile(node.Port),
                     // A replica's first sync starts at once instead of after 5 s (the default waits for more replicas).
                     "--repl-diskless-sync-delay", "0",
                     // A replica always may take over, however long it was cut off from its master: a test that kills
                     // a master must see a failover, not a cluster that stays down because its replica is "too stale".
                     "--cluster-replica-validity-factor", "0",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        node.Process?.Dispose();
        node.Process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        // The node writes to its log file; whatever reaches stdout/stderr (e.g. a bad argument) is drained, not blocked on.
        node.Process.OutputDataReceived += (_, _) => { };
        node.Process.ErrorDataReceived += (_, _) => { };
        node.Process.BeginOutputReadLine();
        node.Process.BeginErrorReadLine();
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                await RespClient.CommandAsync(node.Port, cancellationToken, "PING");
                return true;
            }
            catch (Exception e) when (e is IOException or SocketException or InvalidOperationException)
            {
                if (node.Process.HasExited)
                {
                    return false;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Redis cluster node {node.Port} did not answer: {ReadLog(node.Port)}");
                }

                await Task.Delay(pause, cancellationToken);
                pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 100));
            }
        }
    }

    private static int NodePort()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = LoopbackPorts.Free();
            if (port <= HighestNodePort && IsFree(port + BusPortOffset))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Found no free loopback port below " + HighestNodePort + " with its bus port free.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ParseInfo(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split(':', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1]);

    private string NodesFile(int port) => Path.Combine(_directory, $"nodes-{port}.conf");

    private string LogFile(int port) => Path.Combine(_directory, $"node-{port}.log");

    private string ReadLog(int port)
    {
        try
        {
            return File.ReadAllText(LogFile(port));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }
}
