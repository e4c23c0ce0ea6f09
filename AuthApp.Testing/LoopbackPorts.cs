using System.Net;
using System.Net.Sockets;

namespace AuthApp.Testing;

/// <summary>
/// Ports on 127.0.0.1 for what must be told its port before it starts (redis-server, the Auth emulator's generated
/// firebase.json). What can bind port 0 itself and report the port it got (Kestrel) should do that instead: a port
/// found free here can be taken by another process before the server binds it.
/// </summary>
public static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago (the system's pick for port 0, released at once).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A port on which nothing listens: connections to it are refused (an unreachable dependency).</summary>
    public static int Closed() => Free();
}
