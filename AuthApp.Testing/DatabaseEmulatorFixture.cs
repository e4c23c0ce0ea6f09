using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// The Realtime Database a test assembly talks to: the project's emulator (<c>AuthApp.DatabaseEmulator</c>) hosted
/// in-process on a free loopback port, or the official emulator when <c>FIREBASE_DATABASE_EMULATOR_HOST</c> names one
/// (<see cref="IsExternal"/>; tests of this emulator's own behaviour skip themselves then). Tests isolate themselves
/// by namespace (<see cref="NewNamespace"/>). <see cref="ReadAsync"/> and <see cref="WriteAsync"/> go straight to it
/// with the admin credential, as an operator would (or, for writes, as a device or client writing its own data).
/// An assembly that needs its emulator started another way (its own clock, a default rules file) derives from this
/// class and passes them on; a test that needs an emulator of its own (to restart it, to move its clock) starts one
/// with <see cref="StartAsync"/>.
/// </summary>
public class DatabaseEmulatorFixture : IAsyncLifetime
{
    private readonly TimeProvider _clock;
    private readonly string[] _arguments;
    private WebApplication? _app;
    private HttpClient? _admin;

    public DatabaseEmulatorFixture()
        : this(TimeProvider.System)
    {
    }

    /// <param name="clock">The in-process emulator's clock (tokens are issued and expire against it).</param>
    /// <param name="arguments">More of the emulator's command-line settings, e.g. <c>--Rules:Path=...</c>.</param>
    protected DatabaseEmulatorFixture(TimeProvider clock, params string[] arguments)
    {
        _clock = clock;
        _arguments = arguments;
    }

    /// <summary><c>host:port</c> of the database under test.</summary>
    public string Host { get; private set; } = "";

    /// <summary>True when the tests run against an emulator this fixture did not start (the official one).</summary>
    public bool IsExternal { get; private set; }

    /// <summary>The emulator's clock: the one this fixture was given in-process, the real one for an external emulator.</summary>
    public TimeProvider Clock => IsExternal ? TimeProvider.System : _clock;

    /// <summary>A client of the emulator with no credential of its own (requests carry theirs).</summary>
    public HttpClient Http { get; private set; } = new();

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST");
        if (!string.IsNullOrWhiteSpace(external))
        {
            (Host, IsExternal) = (external, true);
        }
        else
        {
            _app = await StartAsync(_clock, _arguments);
            Host = HostOf(_app);
        }

        Http = new HttpClient { BaseAddress = new Uri($"http://{Host}/") };
        _admin = new HttpClient { BaseAddress = Http.BaseAddress };
        _admin.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
    }

    /// <summary>A namespace no other test uses: tests never see each other's data.</summary>
    public static string NewNamespace() => $"test-{Guid.NewGuid():N}"[..24];

    /// <summary>An emulator of a test's own, in-process on a free port (stop it with <c>DisposeAsync</c>).</summary>
    public static async Task<WebApplication> StartAsync(TimeProvider? clock = null, params string[] arguments)
    {
        var app = DatabaseEmulatorApp.Build(
            ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. arguments],
            clock is null ? null : builder => builder.Services.AddSingleton(clock));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    /// <summary><c>host:port</c> that <paramref name="app"/> listens on.</summary>
    public static string HostOf(WebApplication app) => new Uri(app.Urls.First()).Authority;

    public async Task<JsonNode?> ReadAsync(string ns, string path) =>
        await Admin.GetFromJsonAsync<JsonNode?>($"{path.Trim('/')}.json?ns={ns}", TestContext.Current.CancellationToken);

    public async Task WriteAsync(string ns, string path, JsonNode? value)
    {
        using var content = new StringContent(value?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        using var response = await Admin.PutAsync($"{path.Trim('/')}.json?ns={ns}", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Makes <paramref name="ns"/> judge clients by the product's rules (<c>firebase/database.rules.json</c>), as
    /// the real database does; namespaces start without rules (everyone acts as the admin).
    /// </summary>
    public Task UseProductRulesAsync(string ns) => UseRulesAsync(ns, File.ReadAllText(RepoPaths.ProductRules));

    /// <summary>Loads a rules document into <paramref name="ns"/> (<c>PUT /.settings/rules.json</c>, as the official emulator takes it).</summary>
    public async Task UseRulesAsync(string ns, string rules)
    {
        using var content = new StringContent(rules, Encoding.UTF8, "application/json");
        using var response = await Admin.PutAsync($".settings/rules.json?ns={ns}", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A client's own request: <paramref name="idToken"/> as its credential (the emulator decodes it without checking
    /// a signature, as the official one does), judged by the namespace's rules. Returns the status and the body.
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsClientAsync(
        string ns, HttpMethod method, string path, string? idToken, JsonNode? value = null)
    {
        using var request = new HttpRequestMessage(method, $"{path.Trim('/')}.json?ns={ns}");
        request.Headers.Authorization = idToken is null ? null : new("Bearer", idToken);
        if (method != HttpMethod.Get && method != HttpMethod.Delete)
        {
            request.Content = new StringContent(value?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private HttpClient Admin => _admin ?? throw new InvalidOperationException("The database emulator has not started.");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _admin?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
