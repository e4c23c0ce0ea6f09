using System.Diagnostics;
using System.Text.RegularExpressions;
using AuthApp.Testing;

namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>
/// One replica of a built .NET service (<c>dotnet X.dll</c> from its Release output) as an OS process that the harness
/// can kill with SIGKILL and start again. The first start binds port 0 and keeps the port Kestrel reports, so that a
/// restart comes back at the same address, as a pod does. Ready means the health endpoint answers 200 (alive is not
/// enough: a replica that has not reached Redis yet answers 503). Everything the process writes goes to
/// <see cref="LogPath"/>, across restarts, one file per replica.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>What the harness's own environment must not hand down.</summary>
    private static readonly string[] Inherited =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
        "DOTNET_ENVIRONMENT", "ServiceInstance__Replica", "AUTHAPP_TESTS_AUTH_EMULATOR",
    ];

    private readonly string _project;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly string _healthPath;
    private readonly StreamWriter _log;
    private Process? _process;
    private TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _port;
    private bool _closed;

    public ServiceProcess(string name, string project, string logDirectory, IReadOnlyDictionary<string, string> environment, string healthPath = "/health")
    {
        Name = name;
        _project = project;
        _environment = environment;
        _healthPath = healthPath;
        LogPath = Path.Combine(logDirectory, $"{name}.log");
        _log = new StreamWriter(LogPath, append: true) { AutoFlush = true };
    }

    public string Name { get; }

    public string LogPath { get; }

    /// <summary>Where the replica listens (the same after a restart).</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1:0/");

    public int Starts { get; private set; }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the process and waits until its health endpoint answers 200.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"{Name} is already running.");
        }

        var assembly = RepoPaths.BuiltAssembly(_project);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_port}";
        _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Starts++;
        Write($"=== chaos harness: start {Starts} of {Name} at {DateTimeOffset.UtcNow:O}");
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Name} did not start.");
        process.OutputDataReceived += (_, line) => Received(line.Data);
        process.ErrorDataReceived += (_, line) => Received(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        var first = await Task.WhenAny(_listening.Task, process.WaitForExitAsync(deadline.Token));
        if (first != _listening.Task)
        {
            throw new InvalidOperationException(process.HasExited
                ? $"{Name} exited ({process.ExitCode}) before it listened; see {LogPath}"
                : $"{Name} did not listen within {StartTimeout}; see {LogPath}");
        }

        BaseAddress = await _listening.Task;
        _port = BaseAddress.Port;
        await WaitUntilHealthyAsync(process, deadline.Token);
    }

    /// <summary>SIGKILL: no shutdown, no flush, no goodbye to Redis or the queue.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            Write($"=== chaos harness: kill -9 of {Name} at {DateTimeOffset.UtcNow:O}");
            process.Kill(entireProcessTree: false);
            await process.WaitForExitAsync();
        }
    }

    private async Task WaitUntilHealthyAsync(Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited ({process.ExitCode}) before it was ready; see {LogPath}");
            }

            try
            {
                using var response = await http.GetAsync(_healthPath, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(pause, cancellationToken);
            pause = TimeSpan.FromMilliseconds(Math.Min(pause.TotalMilliseconds * 2, 250));
        }
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        Write(line);
        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            _listening.TrySetResult(new Uri(listening.Groups["url"].Value + "/"));
        }
    }

    private void Write(string line)
    {
        lock (_log)
        {
            if (!_closed)
            {
                _log.WriteLine(line);
            }
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://[0-9.]+:[0-9]+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // A polite stop, so that a worker gives its in-flight jobs back; killed if it takes too long.
            Write($"=== chaos harness: stop of {Name} at {DateTimeOffset.UtcNow:O}");
            var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await (term?.WaitForExitAsync() ?? Task.CompletedTask);
            try
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
        }

        _process?.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
    }
}
