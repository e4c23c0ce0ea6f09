using System.Diagnostics;

namespace AuthApp.Testing;

public enum ClusterRole
{
    Master,
    Replica,
}

/// <summary>One node of a <see cref="LocalRedisCluster"/>: its port (fixed for its life, kept across restarts) and its current process.</summary>
public sealed class ClusterNode(int port)
{
    public int Port { get; } = port;

    public string EndPoint => $"127.0.0.1:{Port}";

    /// <summary>The current process's id (a restart gives a new one).</summary>
    public int? Pid => Process is { HasExited: false } process ? process.Id : null;

    public bool IsRunning => Process is { HasExited: false };

    /// <summary>As last read from the cluster (<see cref="LocalRedisCluster.MastersAsync"/> and the health wait refresh it).</summary>
    public ClusterRole Role { get; internal set; }

    internal Process? Process { get; set; }

    public override string ToString() => $"{EndPoint} ({Role}, pid {Pid?.ToString() ?? "none"})";
}
