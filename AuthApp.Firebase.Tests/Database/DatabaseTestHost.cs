using System.Collections.Concurrent;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: AssemblyFixture(typeof(AuthApp.Firebase.Tests.Database.ContractDatabase))]

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// The database the contract tests talk to (<see cref="DatabaseEmulatorFixture"/>: the project's emulator
/// in-process, or the official one when <c>FIREBASE_DATABASE_EMULATOR_HOST</c> is set), with the contract tests'
/// indexes as its default rules and a request limit small enough to reach in a test.
/// </summary>
public sealed class ContractDatabase() : DatabaseEmulatorFixture(
    TimeProvider.System,
    $"--Rules:Path={Path.Combine(AppContext.BaseDirectory, TestRulesFile)}",
    $"--Limits:MaxRequestBytes={MaxRequestBytes}")
{
    public const string TestRulesFile = "Database/test.rules.json";
    public const long MaxRequestBytes = 1024 * 1024;

    public DatabaseClientScope CreateClient(string? ns = null, Action<IServiceCollection>? configure = null) =>
        DatabaseClientScope.Create(Host, ns ?? NewNamespace(), configure);
}

/// <summary>A client wired exactly as <c>AddFirebaseDatabase</c> wires it, plus a recorder of what went on the wire.</summary>
public sealed class DatabaseClientScope : IDisposable
{
    private readonly ServiceProvider _services;

    private DatabaseClientScope(ServiceProvider services, string ns, RequestLog log)
    {
        _services = services;
        Namespace = ns;
        Requests = log;
        Database = services.GetRequiredService<IFirebaseDatabase>();
    }

    public IFirebaseDatabase Database { get; }

    public string Namespace { get; }

    public RequestLog Requests { get; }

    public static DatabaseClientScope Create(string host, string ns, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        services.AddOptions<FirebaseOptions>().Configure(options =>
        {
            options.ProjectId = "demo-authapp";
            options.DatabaseEmulatorHost = host;
            options.DatabaseUrl = new Uri($"https://{ns}.firebaseio.com");
        });
        services.AddSingleton<IFirebaseAccessTokenProvider, OwnerTokenProvider>();
        services.AddFirebaseDatabaseClient();
        var log = new RequestLog();
        services.AddSingleton(log);
        services.AddHttpClient(FirebaseDatabaseClient.HttpClientName).AddHttpMessageHandler(() => new RecordingHandler(log));
        services.AddHttpClient(FirebaseDatabaseClient.StreamHttpClientName).AddHttpMessageHandler(() => new RecordingHandler(log));
        configure?.Invoke(services);
        return new DatabaseClientScope(services.BuildServiceProvider(), ns, log);
    }

    public void Dispose() => _services.Dispose();
}

/// <summary>The emulator token (what the real provider returns in emulator mode).</summary>
public sealed class OwnerTokenProvider : IFirebaseAccessTokenProvider
{
    public const string Token = "owner";

    public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult(Token);
}

public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, int Status);

public sealed class RequestLog
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    public IReadOnlyList<RecordedRequest> All => [.. _requests];

    public int Count => _requests.Count;

    public void Add(RecordedRequest request) => _requests.Enqueue(request);
}

/// <summary>The innermost handler (after the token handler): sees each attempt as it goes on the wire.</summary>
public sealed class RecordingHandler(RequestLog log) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        log.Add(new RecordedRequest(request.Method, request.RequestUri!, request.Headers.Authorization?.ToString(), (int)response.StatusCode));
        return response;
    }
}
