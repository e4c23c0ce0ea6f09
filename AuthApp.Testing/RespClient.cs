using System.Net.Sockets;
using System.Text;

namespace AuthApp.Testing;

/// <summary>
/// One command to one Redis node over a fresh connection, in the plain RESP protocol. For managing cluster nodes
/// (PING, CLUSTER INFO, FLUSHALL on a given node): a cluster-aware client would route the command elsewhere, and a
/// node that is starting or dead must be asked without a multiplexer's reconnect machinery.
/// </summary>
internal static class RespClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    /// <summary>Sends the command and returns a simple or bulk string reply (an integer as its text); an error reply throws.</summary>
    public static async Task<string> CommandAsync(int port, CancellationToken cancellationToken, params string[] arguments)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, timeout.Token);
            await using var stream = client.GetStream();
            var request = new StringBuilder($"*{arguments.Length}\r\n");
            foreach (var argument in arguments)
            {
                request.Append($"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
            }
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
            return await ReadReplyAsync(new BufferedStream(stream), timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"Redis node {port} did not answer {arguments[0]} within {Timeout.TotalSeconds} s.");
        }
    }

    private static async Task<string> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(stream, cancellationToken);
        switch (line[0])
        {
            case '+' or ':':
                return line[1..];
            case '-':
                throw new InvalidOperationException("Redis answered " + line[1..]);
            case '$':
                var length = int.Parse(line[1..]);
                if (length < 0)
                {
                    return "";
                }
                var body = new byte[length + 2];
                await stream.ReadExactlyAsync(body, cancellationToken);
                return Encoding.UTF8.GetString(body, 0, length);
            default:
                throw new InvalidOperationException("Unexpected Redis reply: " + line);
        }
    }

    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The Redis node closed the connection.");
            }
            if (one[0] == '\n' && bytes.Count > 0 && bytes[^1] == '\r')
            {
                return Encoding.UTF8.GetString(bytes.ToArray(), 0, bytes.Count - 1);
            }
            bytes.Add(one[0]);
        }
    }
}
