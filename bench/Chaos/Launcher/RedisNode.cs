using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AuthApp.Testing;

namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>
/// Debian's <c>redis-server</c> as the deployment runs it (<c>--appendonly yes</c>, <c>appendfsync everysec</c>) in a
/// data folder of its own, on a port that stays the same across restarts, so that "restarted with its AOF" means the
/// data comes back from the file and "restarted empty" means the folder was wiped first.
/// </summary>
public sealed class RedisNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly string _logPath;
    private readonly string[] _extraArguments;
    private Process? _process;

    public RedisNode(string name, string dataDirectory, string logDirectory, int? port = null, params string[] extraArguments)
    {
        Name = name;
        DataDirectory = dataDirectory;
        Port = port ?? LoopbackPorts.Free();
        _logPath = Path.Combine(logDirectory, $"{name}.log");
        _extraArguments = extraArguments;
        Directory.CreateDirectory(dataDirectory);
    }

    public string Name { get; }

    public int Port { get; }

    public string DataDirectory { get; }

    public string Address => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", DataDirectory,
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--logfile", _logPath, .. _extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnswersAsync(cancellationToken);
    }

    /// <summary>SIGTERM: Redis writes and syncs its append-only file, then exits (a container or pod being stopped).</summary>
    public async Task StopAsync() => await SignalAsync("-TERM");

    /// <summary>SIGKILL: whatever was not yet synced to the append-only file (up to a second) is gone.</summary>
    public async Task KillAsync() => await SignalAsync("-KILL");

    /// <summary>Removes the data folder's contents: the next start is empty (a lost volume).</summary>
    public void Wipe()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is running; stop it before wiping its data.");
        }

        foreach (var entry in new DirectoryInfo(DataDirectory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }

        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        await (kill?.WaitForExitAsync() ?? Task.CompletedTask);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Ready once it answers PING with PONG (while it loads the append-only file it answers LOADING).</summary>
    private async Task WaitUntilAnswersAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process is { HasExited: true })
            {
                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}); see {_logPath}");
            }

            if (await PingAsync(cancellationToken))
            {
                return;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"{Name} did not answer PING within {StartTimeout}; see {_logPath}");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port, cancellationToken);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
    }
}
