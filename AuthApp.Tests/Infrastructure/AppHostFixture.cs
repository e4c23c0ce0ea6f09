using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Tests.Infrastructure;

/// <summary>One running AppHost shared by every test in the assembly that asks for it.</summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public const string ProjectId = "demo-authapp";
    public const string DatabaseNamespace = "demo-authapp-default-rtdb";

    private DistributedApplication? _app;
    private FakeGemini? _gemini;
    private int _clientAddress;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>The local Gemini stand-in the API's voice commands talk to.</summary>
    public FakeGemini Gemini => _gemini ?? throw new InvalidOperationException("The fake Gemini has not started.");

    public HttpClient CreateHttpClient(string resource) => App.CreateHttpClient(resource, "http");

    /// <summary>An API client that presents its own client address, as if behind the trusted proxy.</summary>
    public HttpClient CreateApiClient(string? bearerToken = null, string? clientAddress = null)
    {
        var client = CreateHttpClient("api");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress ?? NextClientAddress());
        if (bearerToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        }

        return client;
    }

    /// <summary>
    /// One client per API replica, straight to the replica rather than through the orchestrator's proxy
    /// (which would keep a connection on one replica), all presenting <paramref name="clientAddress"/>.
    /// </summary>
    public async Task<IReadOnlyList<HttpClient>> CreateReplicaClientsAsync(string clientAddress)
    {
        var replicas = await App.InstancesAsync("api", TestContext.Current.CancellationToken);
        return replicas
            .Select(replica => replica.Snapshot.EnvironmentVariables.Single(variable => variable.Name == "ASPNETCORE_URLS").Value!)
            .Select(url =>
            {
                var client = new HttpClient { BaseAddress = new Uri(url.Split(';')[0]) };
                client.DefaultRequestHeaders.Add("X-Forwarded-For", clientAddress);
                return client;
            })
            .ToList();
    }

    /// <summary>A fresh address from the documentation range 198.18.0.0/15, one per caller.</summary>
    public string NextClientAddress()
    {
        var n = Interlocked.Increment(ref _clientAddress);
        return $"198.18.{n / 250}.{n % 250 + 1}";
    }

    /// <summary>A connection to the AppHost's Redis, with admin commands allowed (CLIENT LIST, KEYS).</summary>
    public async Task<StackExchange.Redis.ConnectionMultiplexer> ConnectToCacheAsync()
    {
        var connectionString = await App.GetConnectionStringAsync("cache", TestContext.Current.CancellationToken);
        Assert.False(string.IsNullOrEmpty(connectionString));
        return await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(connectionString + ",allowAdmin=true");
    }

    /// <summary>Reads a path of the local Realtime Database directly, bypassing the API (as the admin: the emulator enforces the rules).</summary>
    public async Task<JsonNode?> ReadDatabaseAsync(string path)
    {
        using var database = CreateDatabaseAdminClient();
        return await database.GetFromJsonAsync<JsonNode?>($"/{path}.json?ns={DatabaseNamespace}", TestContext.Current.CancellationToken);
    }

    /// <summary>Writes a path of the local Realtime Database directly, as an operator would (as the admin: the emulator enforces the rules).</summary>
    public async Task WriteDatabaseAsync(string path, JsonNode? value)
    {
        using var database = CreateDatabaseAdminClient();
        using var response = await database.PutAsync($"/{path}.json?ns={DatabaseNamespace}",
            new StringContent(value?.ToJsonString() ?? "null", System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The database emulator's client with the admin credential the emulators accept, which bypasses the rules.</summary>
    private HttpClient CreateDatabaseAdminClient()
    {
        var database = CreateHttpClient("firebase-database");
        database.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
        return database;
    }

    /// <summary>
    /// Calls the Auth emulator's REST API (Identity Toolkit paths, or its <c>emulator/v1</c> paths), as an
    /// administrator (<c>Bearer owner</c>) or, with <paramref name="asAdmin"/> false, as a client app would.
    /// </summary>
    public async Task<JsonNode?> CallAuthEmulatorAsync(HttpMethod method, string path, JsonObject? body = null, bool asAdmin = true)
    {
        using var emulator = CreateHttpClient("firebase-auth");
        using var request = new HttpRequestMessage(method, path);
        if (asAdmin)
        {
            request.Headers.Authorization = new("Bearer", "owner");
        }

        request.Headers.Add("X-Goog-Api-Key", "fake-api-key");
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await emulator.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonNode?>(TestContext.Current.CancellationToken);
    }

    public async ValueTask InitializeAsync()
    {
        // Before the AppHost: the API is given the fake's address when it starts.
        _gemini = await FakeGemini.StartAsync(TestContext.Current.CancellationToken);
        _app = await AuthAppHost.StartAsync(TestContext.Current.CancellationToken, _gemini.BaseUrl);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_gemini is not null)
        {
            await _gemini.DisposeAsync();
        }
    }
}
