// A TCP relay that delays every chunk by a fixed time in each direction, so that a round trip through it costs twice
// the delay more than on loopback: bench/Api puts it between the API and the RTDB emulator (DATABASE_DELAY_MS) to
// measure requests as they behave against a database that is a network away, where round trips, not CPU, decide.
// Order is kept per direction; a chunk's delay starts when it is read, so throughput is not limited by the delay.
//
// Usage: dotnet AuthApp.Bench.LatencyProxy.dll <listen port> <target host:port> <delay ms>
using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

if (args.Length != 3 || !int.TryParse(args[0], out var listenPort) || !int.TryParse(args[2], out var delayMs) || delayMs < 0)
{
    Console.Error.WriteLine("usage: AuthApp.Bench.LatencyProxy <listen port> <target host:port> <delay ms>");
    return 2;
}

var target = args[1].Split(':');
var delay = TimeSpan.FromMilliseconds(delayMs);
var time = TimeProvider.System;
using var listener = new TcpListener(IPAddress.Loopback, listenPort);
listener.Start();
Console.WriteLine($"relaying 127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port} to {args[1]}, {delayMs} ms each way");

while (true)
{
    var client = await listener.AcceptSocketAsync();
    _ = RelayAsync(client);
}

async Task RelayAsync(Socket client)
{
    using (client)
    using (var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp))
    {
        try
        {
            client.NoDelay = upstream.NoDelay = true;
            await upstream.ConnectAsync(target[0], int.Parse(target[1]));
            await Task.WhenAll(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (SocketException)
        {
            // One side went away: the connection ends, as it would through a real network.
        }
    }
}

async Task PumpAsync(Socket from, Socket to)
{
    var chunks = Channel.CreateUnbounded<(byte[] Buffer, int Length, DateTimeOffset Due)>(new() { SingleReader = true, SingleWriter = true });
    var sending = SendAsync(chunks.Reader, to);
    try
    {
        while (true)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
            var length = await from.ReceiveAsync(buffer);
            if (length == 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                break;
            }

            chunks.Writer.TryWrite((buffer, length, time.GetUtcNow() + delay));
        }
    }
    finally
    {
        chunks.Writer.TryComplete();
        await sending;
    }
}

async Task SendAsync(ChannelReader<(byte[] Buffer, int Length, DateTimeOffset Due)> chunks, Socket to)
{
    await foreach (var (buffer, length, due) in chunks.ReadAllAsync())
    {
        var wait = due - time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time);
        }

        await to.SendAsync(buffer.AsMemory(0, length));
        ArrayPool<byte>.Shared.Return(buffer);
    }

    to.Shutdown(SocketShutdown.Send);
}
