using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// The official Firebase Auth emulator (firebase-tools pinned in firebase/package.json), started
/// once per test run on free ports from a generated firebase.json, and stopped with its process tree.
/// It is started on first use, so tests that do not need it do not wait for it; under <c>./test.sh</c> the assemblies
/// share the one it started instead (<see cref="SharedHostVariable"/>).
/// </summary>
public sealed class AuthEmulatorFixture : IAsyncDisposable
{
    /// <summary>The emulator's single project (a <c>demo-</c> project: the emulator never calls Google for it).</summary>
    public const string ProjectId = "demo-authapp";

    /// <summary>The address of an emulator this run's assemblies share (set by test.sh); this fixture then starts none.</summary>
    public const string SharedHostVariable = "AUTHAPP_TESTS_AUTH_EMULATOR";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<string> _output = [];
    private Process? _process;
    private string? _scratch;
    private string? _host;

    /// <summary><c>127.0.0.1:port</c> of a ready emulator, starting it on first call.</summary>
    public async Task<string> GetHostAsync()
    {
        if (_host is not null)
        {
            return _host;
        }

        await _gate.WaitAsync();
        try
        {
            return _host ??= Environment.GetEnvironmentVariable(SharedHostVariable) is { Length: > 0 } shared
                ? await WaitUntilReadyAsync(shared, process: null)
                : await StartAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The out-of-band codes (password reset, verify email) the emulator has "sent".</summary>
    public async Task<JsonArray> GetOobCodesAsync() => await GetOobCodesAsync(await GetHostAsync());

    /// <summary>The out-of-band codes the Auth emulator at <paramref name="host"/> has "sent" (this fixture's or an AppHost's).</summary>
    public static async Task<JsonArray> GetOobCodesAsync(string host) =>
        (await CallAsync(host, HttpMethod.Get, $"emulator/v1/projects/{ProjectId}/oobCodes"))?["oobCodes"] as JsonArray ?? [];

    /// <summary>Calls this emulator's REST API; see <see cref="CallAsync(string, HttpMethod, string, JsonObject?, bool)"/>.</summary>
    public async Task<JsonNode?> CallAsync(HttpMethod method, string path, JsonObject? body = null, bool asAdmin = true) =>
        await CallAsync(await GetHostAsync(), method, path, body, asAdmin);

    /// <summary>
    /// Calls the REST API of the Auth emulator at <paramref name="host"/> (Identity Toolkit paths, or its
    /// <c>emulator/v1</c> paths) as an administrator (<c>Bearer owner</c>) or, with <paramref name="asAdmin"/> false,
    /// as a client app would (with an API key); fails the test unless it answers 2xx.
    /// </summary>
    public static async Task<JsonNode?> CallAsync(string host, HttpMethod method, string path, JsonObject? body = null, bool asAdmin = true)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{host}/") };
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (asAdmin)
        {
            request.Headers.Authorization = new("Bearer", "owner");
        }

        request.Headers.Add("X-Goog-Api-Key", "fake-api-key");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path} answered {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>The emulator's record of the account with <paramref name="email"/>, or null when there is none.</summary>
    public async Task<JsonNode?> LookUpByEmailAsync(string email) =>
        (await CallAsync(HttpMethod.Post, $"identitytoolkit.googleapis.com/v1/projects/{ProjectId}/accounts:lookup",
            new JsonObject { ["email"] = new JsonArray(email) }))?["users"]?[0];

    /// <summary>The emulator's record of the account with <paramref name="uid"/>, or null when there is none.</summary>
    public async Task<JsonNode?> LookUpAsync(string uid) =>
        (await CallAsync(HttpMethod.Post, $"identitytoolkit.googleapis.com/v1/projects/{ProjectId}/accounts:lookup",
            new JsonObject { ["localId"] = new JsonArray(uid) }))?["users"]?[0];

    /// <summary>The CLI takes a few seconds alone, and far longer on two cores that start the AppHost meanwhile.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private async Task<string> StartAsync()
    {
        var firebaseDir = Path.Combine(RepoPaths.Root, "firebase");
        var cli = Path.Combine(firebaseDir, "node_modules", ".bin", "firebase");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"The Firebase CLI is missing ({cli}): run npm ci in firebase/.");
        }

        _scratch = Directory.CreateTempSubdirectory("authapp-auth-emulator-").FullName;
        var (auth, hub, logging) = (LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        var config = new JsonObject
        {
            ["emulators"] = new JsonObject
            {
                ["auth"] = new JsonObject { ["port"] = auth, ["host"] = "127.0.0.1" },
                ["hub"] = new JsonObject { ["port"] = hub, ["host"] = "127.0.0.1" },
                ["logging"] = new JsonObject { ["port"] = logging, ["host"] = "127.0.0.1" },
                ["ui"] = new JsonObject { ["enabled"] = false },
                ["singleProjectMode"] = true,
            },
        };
        var configPath = Path.Combine(_scratch, "firebase.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        Directory.CreateDirectory(Path.Combine(_scratch, "home"));

        var start = new ProcessStartInfo(cli)
        {
            WorkingDirectory = _scratch,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "emulators:start", "--only", "auth", "--project", ProjectId, "--config", configPath })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["HOME"] = Path.Combine(_scratch, "home");
        start.Environment["CI"] = "true";
        _process = Process.Start(start) ?? throw new InvalidOperationException("The Firebase CLI did not start.");
        _process.OutputDataReceived += (_, e) => Remember(e.Data);
        _process.ErrorDataReceived += (_, e) => Remember(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        return await WaitUntilReadyAsync($"127.0.0.1:{auth}", _process);
    }

    /// <summary>Waits until the emulator at <paramref name="host"/> says it is ready (or its <paramref name="process"/>, when ours, exits).</summary>
    private async Task<string> WaitUntilReadyAsync(string host, Process? process)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (process is { HasExited: true })
            {
                throw new InvalidOperationException($"The Auth emulator exited with {process.ExitCode}:\n{Output()}");
            }

            try
            {
                var status = await http.GetFromJsonAsync<JsonObject>($"http://{host}/");
                if (status?["authEmulator"]?["ready"]?.GetValue<bool>() == true)
                {
                    return host;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException(process is null
            ? $"The Auth emulator test.sh started ({SharedHostVariable}={host}) was not ready within {StartTimeout.TotalSeconds:0} s."
            : $"The Auth emulator was not ready within {StartTimeout.TotalSeconds:0} s:\n{Output()}");
    }

    private void Remember(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output.TakeLast(40));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        _process?.Dispose();
        if (_scratch is not null)
        {
            try
            {
                Directory.Delete(_scratch, recursive: true);
            }
            catch (IOException)
            {
            }
        }

        _gate.Dispose();
    }
}
