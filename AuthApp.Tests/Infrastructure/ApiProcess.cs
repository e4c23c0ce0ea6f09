using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace AuthApp.Tests.Infrastructure;

/// <summary>
/// One more API process, outside the AppHost, configured as a test needs (its proxies, a Firebase it cannot reach,
/// its own service name) and otherwise using the running AppHost's Redis and emulators. It listens on
/// <c>http://127.0.0.1:&lt;free port&gt;</c> and is ready once <c>/health</c> answers 200: alive is not enough, as a
/// process that has not connected to Redis yet answers its first requests with 503 (the login limiter, the cache).
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, Uri baseAddress, string logDirectory)
    {
        _process = process;
        BaseAddress = baseAddress;
        LogDirectory = logDirectory;
    }

    public Uri BaseAddress { get; }

    /// <summary>Where the process writes its rolling log file (<c>app.log</c>, or per replica).</summary>
    public string LogDirectory { get; }

    /// <summary>What the process wrote to stdout and stderr, for failure messages.</summary>
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

    /// <summary>The built API of this test run's configuration.</summary>
    public static string AssemblyPath => Path.Combine(
        Repository.Root, "AuthApp.Api", "bin",
        typeof(ApiProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", "AuthApp.Api.dll");

    /// <summary>
    /// Starts the API with the AppHost's Redis and emulators, in Development, overridden by <paramref name="settings"/>
    /// (environment variable names, e.g. <c>ReverseProxy__TrustedNetworks__0</c>).
    /// </summary>
    public static async Task<ApiProcess> StartAsync(AppHostFixture host, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var logDirectory = Directory.CreateTempSubdirectory("authapp-api-process-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { AssemblyPath },
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__cache"] = (await host.App.GetConnectionStringAsync("cache", cancellationToken))!,
            ["Firebase__ProjectId"] = AppHostFixture.ProjectId,
            ["Firebase__AuthEmulatorHost"] = HostAndPort(host.App.GetEndpoint("firebase-auth", "http")),
            ["Firebase__DatabaseEmulatorHost"] = HostAndPort(host.App.GetEndpoint("firebase-database", "http")),
            ["Logging__File__Path"] = Path.Combine(logDirectory, "app.log"),
            ["OTEL_SERVICE_NAME"] = "api",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        // Nothing listens for its telemetry, and no AppHost tells it its replica (unless a test does).
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        start.Environment.Remove("ServiceInstance__Replica");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"), logDirectory);
        process.OutputDataReceived += (_, line) => api.Append(line.Data);
        process.ErrorDataReceived += (_, line) => api.Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await api.WaitUntilReadyAsync(cancellationToken);
            return api;
        }
        catch
        {
            // A process that never became ready must not outlive the test.
            await api.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress };

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"The API process exited ({_process.ExitCode}):\n{Output}");
            }

            Assert.True(deadline.Elapsed < StartTimeout, $"The API process was not ready (/health) within {StartTimeout}:\n{Output}");
            try
            {
                using var response = await client.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static string HostAndPort(Uri endpoint) => $"127.0.0.1:{endpoint.Port}";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

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
