using System.Diagnostics;
using StackExchange.Redis;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence, shared by every test of an assembly
/// (each test uses its own keys). Killed when the run ends.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime, IRedisTarget
{
    private Process? _process;

    public int Port { get; private set; }

    public ConnectionMultiplexer Connection { get; private set; } = null!;

    public string Name => "single";

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task FlushAsync(CancellationToken cancellationToken = default) =>
        await RespClient.CommandAsync(Port, cancellationToken, "FLUSHALL");

    public async ValueTask InitializeAsync()
    {
        Port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                Connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},abortConnect=true,connectTimeout=1000");
                await Connection.GetDatabase().PingAsync();
                return;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
    }
}
