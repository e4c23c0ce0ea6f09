using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Tests.Infrastructure;

/// <summary>
/// One running AppHost shared by every test in the assembly that asks for it. As the API under test
/// (<see cref="IApiUnderTest"/>) it is the API's two replicas behind the orchestrator's proxy, each client with an
/// address of its own.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime, IApiUnderTest
{
    public const string ProjectId = "demo-authapp";
    public const string DatabaseNamespace = "demo-authapp-default-rtdb";

    private DistributedApplication? _app;
    private int _clientAddress;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost is not running.");

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

    HttpClient IApiUnderTest.CreateApiClient(string? idToken) => CreateApiClient(idToken);

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
        await PutAsync(database, path, value);
    }

    /// <summary>
    /// Writes a path of the local Realtime Database as a device or the user's own app does: straight to its REST API
    /// with the user's ID token, so that the database's rules decide what it may write, and no service announces it.
    /// </summary>
    public async Task WriteDatabaseAsUserAsync(string idToken, string path, JsonNode? value)
    {
        using var database = CreateDatabaseClient(idToken);
        await PutAsync(database, path, value);
    }

    private static async Task PutAsync(HttpClient database, string path, JsonNode? value)
    {
        var cancellation = TestContext.Current.CancellationToken;
        using var response = await database.PutAsync($"/{path}.json?ns={DatabaseNamespace}",
            new StringContent(value?.ToJsonString() ?? "null", System.Text.Encoding.UTF8, "application/json"), cancellation);
        Assert.True(response.IsSuccessStatusCode,
            $"PUT {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellation)}");
    }

    /// <summary>The database emulator's client with the admin credential the emulators accept, which bypasses the rules.</summary>
    private HttpClient CreateDatabaseAdminClient() => CreateDatabaseClient("owner");

    private HttpClient CreateDatabaseClient(string bearerToken)
    {
        var database = CreateHttpClient("firebase-database");
        database.DefaultRequestHeaders.Authorization = new("Bearer", bearerToken);
        return database;
    }

    /// <summary><c>127.0.0.1:port</c> of the AppHost's Auth emulator, for <see cref="AuthEmulatorFixture.CallAsync(string, HttpMethod, string, JsonObject?, bool)"/>.</summary>
    public string AuthEmulatorHost => $"127.0.0.1:{App.GetEndpoint("firebase-auth", "http").Port}";

    /// <summary>
    /// The settings of one more API process (<see cref="ApiProcess"/>) beside the AppHost's replicas, as environment
    /// variables: the AppHost's Redis, emulators and database, the API's own service name.
    /// </summary>
    public async Task<Dictionary<string, string>> ProcessEnvironmentAsync() => new()
    {
        ["ConnectionStrings__cache"] = (await App.GetConnectionStringAsync("cache", TestContext.Current.CancellationToken))!,
        ["Firebase__ProjectId"] = ProjectId,
        ["Firebase__AuthEmulatorHost"] = AuthEmulatorHost,
        ["Firebase__DatabaseEmulatorHost"] = $"127.0.0.1:{App.GetEndpoint("firebase-database", "http").Port}",
        ["OTEL_SERVICE_NAME"] = "api",
    };

    public async ValueTask InitializeAsync() => _app = await AuthAppHost.StartAsync(TestContext.Current.CancellationToken);

    /// <summary>Stops the AppHost and every process it started; the last test of the run does (<see cref="ShutdownLast"/>).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);
}
