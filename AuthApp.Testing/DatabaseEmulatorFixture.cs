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
