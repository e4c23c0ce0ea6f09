using System.Net;
using System.Net.Sockets;

namespace AuthApp.Testing;

/// <summary>
/// A TCP forwarder on a free loopback port in front of a real server (e.g. redis-server), so that a test can take
/// the server away from the system under test and give it back: <see cref="Cut"/> drops every open connection and
/// refuses new ones (accepted, then closed at once, as a dead peer would); <see cref="Restore"/> lets them through again.
/// <see cref="Stall"/> keeps the connections open but holds every byte until <see cref="Resume"/>: a server that
/// is there but does not answer, which clients see as timeouts rather than as a lost connection.
/// <see cref="Latency"/> delays every chunk by that much in each direction: a server a network away.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private volatile bool _cut;
    private volatile TaskCompletionSource _flowing = Flowing();

    public TcpProxy(IPEndPoint target)
    {
        _target = target;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool IsCut => _cut;

    /// <summary>Added to every chunk in each direction before it is passed on (zero, the default: none).</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>Drops every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Client.LingerState = new LingerOption(true, 0); // RST, not a polite FIN
                client.Dispose();
            }

            _open.Clear();
        }
    }

    public void Restore() => _cut = false;

    /// <summary>Holds every byte in both directions, connections left open, until <see cref="Resume"/>.</summary>
    public void Stall()
    {
        if (_flowing.Task.IsCompleted)
        {
            _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Delivers what was held and lets bytes through again.</summary>
    public void Resume() => _flowing.TrySetResult();

    private static TaskCompletionSource Flowing()
    {
        var flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        flowing.SetResult();
        return flowing;
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            if (_cut)
            {
                inbound.Client.LingerState = new LingerOption(true, 0);
                inbound.Dispose();
                continue;
            }

            _ = ForwardAsync(inbound);
        }
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target, _stopping.Token);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            using var pair = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var up = CopyAsync(inbound.GetStream(), outbound.GetStream(), pair.Token);
            var down = CopyAsync(outbound.GetStream(), inbound.GetStream(), pair.Token);
            await Task.WhenAny(up, down);
            await pair.CancelAsync();
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await _flowing.Task.WaitAsync(cancellationToken);
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, cancellationToken);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Resume();
        _listener.Stop();
        Cut();
        await _accepting;
        _stopping.Dispose();
    }
}
