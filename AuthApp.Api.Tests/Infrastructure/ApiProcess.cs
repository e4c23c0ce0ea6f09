using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// The built API as a process of its own (<c>dotnet AuthApp.Api.dll</c>) over <see cref="ApiDependencies"/>, for what
/// only a real host shows: settings that reach it as environment variables, read by the host itself (not through
/// <see cref="ApiFactory"/>'s settings), and real TCP connections. It listens on <c>http://127.0.0.1:&lt;free port&gt;</c>
/// and is ready once <c>/health</c> answers 200.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>What the process wrote to stdout and stderr (its console log).</summary>
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

    private static string AssemblyPath => Path.Combine(
        RepoPaths.Root, "AuthApp.Api", "bin",
        typeof(ApiProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug",
        "net10.0", "AuthApp.Api.dll");

    /// <summary>
    /// Starts the API in Development over <paramref name="dependencies"/> with its own database namespace, the rate limits
    /// raised as <see cref="ApiFactory"/> raises them, overridden by <paramref name="environment"/> (variable names).
    /// </summary>
    public static async Task<ApiProcess> StartAsync(ApiDependencies dependencies, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { AssemblyPath },
            WorkingDirectory = Path.GetDirectoryName(AssemblyPath),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Nothing listens for its telemetry; the test runner's own settings are not the process's.
        foreach (var inherited in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "ASPNETCORE_FORWARDEDHEADERS_ENABLED", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT" })
        {
            start.Environment.Remove(inherited);
        }

        var settings = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ConnectionStrings__cache"] = $"127.0.0.1:{dependencies.Redis.Port}",
            ["Firebase__ProjectId"] = AuthEmulatorFixture.ProjectId,
            ["Firebase__AuthEmulatorHost"] = dependencies.AuthHost,
            ["Firebase__DatabaseEmulatorHost"] = dependencies.Database.Host,
            ["Firebase__DatabaseUrl"] = $"https://p{Guid.NewGuid().ToString("N")[..15]}.firebaseio.com",
            ["Firebase__Messaging"] = "Log",
            ["Logging__File__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
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
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"));
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
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A client whose connections come from <paramref name="localAddress"/> (any address of 127.0.0.0/8 works on
    /// loopback), so that the API sees a client address of the test's own rather than 127.0.0.1, which every other
    /// test's clients share in Redis's rate-limit counters.
    /// </summary>
    public HttpClient CreateClient(IPAddress localAddress)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = BaseAddress };
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Assert.False(_process.HasExited, $"The API process exited:\n{Output}");
            Assert.True(deadline.Elapsed < StartTimeout, $"The API process was not ready (/health) within {StartTimeout}:\n{Output}");
            try
            {
                using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
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
    }
}
