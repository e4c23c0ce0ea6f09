using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// The built API as a process of its own (<c>dotnet AuthApp.Api.dll</c>), for what only a real host shows: settings
/// that reach it as environment variables and are read by the host itself, real TCP connections, its log file, or
/// one more replica beside an AppHost's. It binds <c>http://127.0.0.1:0</c> and is found at the address Kestrel
/// reports; it is ready once <c>/health</c> answers 200 (alive is not enough: a process that has not connected to
/// Redis yet answers its first requests with 503). The caller gives it its Redis and Firebase settings.
/// </summary>
public sealed partial class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>What the test runner's own environment must not hand down to the process.</summary>
    private static readonly string[] Inherited =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
        "ServiceInstance__Replica",
    ];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApiProcess(Process process, string logDirectory)
    {
        _process = process;
        LogDirectory = logDirectory;
    }

    /// <summary>Where the process listens.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Where the process writes its rolling log file (<c>app.log</c>, or one per replica).</summary>
    public string LogDirectory { get; }

    /// <summary>What the process wrote to stdout and stderr (its console log), for assertions and failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts the API in Development with <paramref name="environment"/> (variable names, e.g.
    /// <c>ConnectionStrings__cache</c>, <c>ReverseProxy__TrustedNetworks__0</c>) over these defaults: console log at
    /// Warning, the rolling file log in <see cref="LogDirectory"/>, no telemetry exporter.
    /// </summary>
    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var assembly = RepoPaths.BuiltAssembly("AuthApp.Api");
        var logDirectory = Directory.CreateTempSubdirectory("authapp-api-process-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { assembly },
            WorkingDirectory = Path.GetDirectoryName(assembly),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }

        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
            // The one line that says which port the system gave it.
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__File__Path"] = Path.Combine(logDirectory, "app.log"),
        };
        foreach (var (name, value) in environment)
        {
            settings[name] = value;
        }

        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var api = new ApiProcess(process, logDirectory);
        process.OutputDataReceived += (_, line) => api.Append(line.Data);
        process.ErrorDataReceived += (_, line) => api.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await api.WaitUntilReadyAsync();
            return api;
        }
        catch
        {
            // A process that never became ready must not outlive the test.
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client of the process whose connections come from <paramref name="localAddress"/> when given (any address of
    /// 127.0.0.0/8 works on loopback), so that the API sees a client address of the test's own rather than 127.0.0.1,
    /// which every other test's clients share in Redis's rate-limit counters.
    /// </summary>
    public HttpClient CreateClient(IPAddress? localAddress = null) => localAddress is null
        ? new HttpClient { BaseAddress = BaseAddress }
        : new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectFrom(localAddress) }) { BaseAddress = BaseAddress };

    /// <summary>Connects from <paramref name="source"/> rather than from whatever address the system picks.</summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress source) =>
        async (context, cancellationToken) =>
        {
            var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };

    private async Task WaitUntilReadyAsync()
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        deadline.CancelAfter(StartTimeout);
        var first = await Task.WhenAny(_listening.Task, _process.WaitForExitAsync(deadline.Token));
        Assert.True(first == _listening.Task, _process.HasExited
            ? $"The API process exited ({_process.ExitCode}) before it listened:\n{Output}"
            : $"The API process did not listen within {StartTimeout}:\n{Output}");
        BaseAddress = await _listening.Task;

        using var client = CreateClient();
        await Eventually.TrueAsync(async () =>
        {
            Assert.False(_process.HasExited, $"The API process exited:\n{Output}");
            try
            {
                using var response = await client.GetAsync("/health", cancellation);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, () => $"The API process was not ready (/health) within {StartTimeout}:\n{Output}", StartTimeout);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningLine().Match(line) is { Success: true } listening)
        {
            _listening.TrySetResult(new Uri(listening.Groups["url"].Value.TrimEnd('/') + "/"));
        }
    }

    [GeneratedRegex(@"Now listening on: (?<url>http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(LogDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
