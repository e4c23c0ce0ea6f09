using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using Microsoft.AspNetCore.Builder;
using Xunit;

namespace AuthApp.Testing;

/// <summary>
/// The project's Realtime Database emulator in-process on a free port; tests isolate themselves by namespace.
/// <see cref="ReadAsync"/> and <see cref="WriteAsync"/> go straight to it with the admin credential, as an
/// operator would (or, for writes, as a device or client writing its own data).
/// </summary>
public sealed class DatabaseEmulatorFixture : IAsyncLifetime
{
    private WebApplication? _app;
    private HttpClient? _http;

    public string Host { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _app = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        Host = new Uri(_app.Urls.First()).Authority;
        _http = new HttpClient { BaseAddress = new Uri($"http://{Host}/") };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
    }

    public async Task<JsonNode?> ReadAsync(string ns, string path) =>
        await Http.GetFromJsonAsync<JsonNode?>($"{path.Trim('/')}.json?ns={ns}", TestContext.Current.CancellationToken);

    public async Task WriteAsync(string ns, string path, JsonNode? value)
    {
        using var content = new StringContent(value?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync($"{path.Trim('/')}.json?ns={ns}", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Makes <paramref name="ns"/> judge clients by the product's rules (<c>firebase/database.rules.json</c>), as
    /// the real database does; namespaces start without rules (everyone acts as the admin).
    /// </summary>
    public Task UseProductRulesAsync(string ns) =>
        UseRulesAsync(ns, File.ReadAllText(Path.Combine(RepoPaths.Root, "firebase", "database.rules.json")));

    /// <summary>Loads a rules document into <paramref name="ns"/> (<c>PUT /.settings/rules.json</c>, as the official emulator takes it).</summary>
    public async Task UseRulesAsync(string ns, string rules)
    {
        using var content = new StringContent(rules, Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync($".settings/rules.json?ns={ns}", content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// A client's own request: <paramref name="idToken"/> as its credential (the emulator decodes it without checking
    /// a signature, as the official one does), judged by the namespace's rules. Returns the status and the body.
    /// </summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> SendAsClientAsync(
        string ns, HttpMethod method, string path, string? idToken, JsonNode? value = null)
    {
        using var request = new HttpRequestMessage(method, $"{path.Trim('/')}.json?ns={ns}");
        request.Headers.Authorization = idToken is null ? null : new("Bearer", idToken);
        if (method != HttpMethod.Get && method != HttpMethod.Delete)
        {
            request.Content = new StringContent(value?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
        }

        using var http = new HttpClient { BaseAddress = Http.BaseAddress };
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private HttpClient Http => _http ?? throw new InvalidOperationException("The database emulator has not started.");

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
