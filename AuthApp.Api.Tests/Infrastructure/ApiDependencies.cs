using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// What the API talks to, started once for the whole run: a real redis-server, the official Auth emulator and
/// the project's database emulator, each on a free loopback port. Every <see cref="ApiFactory"/> gets its own
/// database namespace; users are unique by e-mail and Redis keys are per user or per client address.
/// </summary>
public sealed class ApiDependencies : IAsyncLifetime
{
    public RedisServerFixture Redis { get; } = new();

    public AuthEmulatorFixture Auth { get; } = new();

    public DatabaseEmulatorFixture Database { get; } = new();

    public string AuthHost { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var auth = Auth.GetHostAsync();
        await Task.WhenAll(Redis.InitializeAsync().AsTask(), Database.InitializeAsync().AsTask());
        AuthHost = await auth;
    }

    /// <summary>Calls the Auth emulator's REST API as an administrator (<c>Bearer owner</c>).</summary>
    public async Task<JsonNode?> CallAuthEmulatorAsync(HttpMethod method, string path, JsonObject? body = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://{AuthHost}/") };
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new("Bearer", "owner");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonNode?>(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await Auth.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
