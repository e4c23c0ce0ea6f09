using System.Text.Json.Nodes;
using AuthApp.Api;
using AuthApp.Api.RateLimiting;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// The real API in-process over <see cref="ApiDependencies"/>, in its own database namespace. Settings are the
/// API's configuration keys; the defaults accept the Auth emulator's unsigned tokens (Development), raise every
/// rate limit out of the way (unless <c>shippedRateLimits</c>: the rate-limit tests keep the shipped ones or set their
/// own), make the Firebase clients' retries quick and
/// turn the log file off; Redis gets a longer timeout than in production (see below). Every log event that the
/// configured levels let through is kept in <see cref="Logs"/>.
/// <see cref="Faults"/> sits inside the Firebase clients' pipelines, so a test can make Auth or the database fail
/// at a chosen step. <see cref="Replica"/> is a second instance of the same deployment (same namespace, Redis and
/// settings), as the AppHost runs two.
/// </summary>
public sealed class ApiFactory(
    ApiDependencies dependencies,
    string environment = "Development",
    IReadOnlyDictionary<string, string?>? settings = null,
    string? databaseNamespace = null,
    bool shippedRateLimits = false)
    : WebApplicationFactory<Program>, IApiUnderTest
{
    /// <summary>The database namespace this API instance reads and writes.</summary>
    public string Namespace { get; } = databaseNamespace ?? "t" + Guid.NewGuid().ToString("N")[..16];

    public ApiDependencies Dependencies => dependencies;

    public IReadOnlyDictionary<string, string?> Settings { get; } = Defaults(dependencies, settings, shippedRateLimits);

    /// <summary>Every log event of this instance that its configured levels let through (what the log file would get).</summary>
    public FakeLogCollector Logs { get; } = new();

    /// <summary>Faults to inject into this instance's calls to Auth and the database (none until a test adds some).</summary>
    public HttpFaults Faults { get; } = new();

    /// <summary>More services for this instance (e.g. a span collector), registered after the API's own.</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    /// <summary>Another replica of this API: same settings, namespace and Redis, its own memory.</summary>
    public ApiFactory Replica() => new(dependencies, environment, Settings, Namespace, shippedRateLimits);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Firebase:DatabaseUrl", $"https://{Namespace}.firebaseio.com");
        builder.ConfigureServices(services =>
        {
            // First of all startup filters, so that the connection address is set before anything reads it, as
            // Kestrel sets it: the host's own forwarded-headers middleware (ASPNETCORE_FORWARDEDHEADERS_ENABLED) comes
            // from a startup filter registered before the API's services, and must see the client's address too.
            services.Insert(0, ServiceDescriptor.Singleton<IStartupFilter, TestRemoteAddress>());
            services.AddLogging(logging => logging.AddProvider(new FakeLoggerProvider(Logs)));
            services.AddSingleton(Faults);
            foreach (var client in FirebaseClients)
            {
                services.AddHttpClient(client).AddHttpMessageHandler(() => new HttpFaultHandler(Faults));
            }

            ExtraServices?.Invoke(services);
        });
    }

    /// <summary>Every limit the API has: the <see cref="WindowLimit"/> settings of <see cref="RateLimitOptions"/>, its one list.</summary>
    private static readonly string[] WindowLimits = [.. typeof(RateLimitOptions).GetProperties()
        .Where(property => property.PropertyType == typeof(WindowLimit))
        .Select(property => property.Name)];

    /// <summary>The named HttpClients of the Firebase library that reach Auth and the database.</summary>
    private static readonly string[] FirebaseClients = ["AuthApp.Firebase.Authentication", FirebaseDatabaseClient.HttpClientName];

    /// <summary>A client of the API, signed in as <paramref name="idToken"/> when given, connecting from <paramref name="remoteAddress"/> (else loopback).</summary>
    public HttpClient CreateClient(string? idToken, string? remoteAddress = null)
    {
        var client = CreateClient();
        if (idToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", idToken);
        }

        if (remoteAddress is not null)
        {
            client.DefaultRequestHeaders.Add(TestRemoteAddress.HeaderName, remoteAddress);
        }

        return client;
    }

    HttpClient IApiUnderTest.CreateApiClient(string? idToken) => CreateClient(idToken);

    public Task<JsonNode?> ReadDatabaseAsync(string path) => dependencies.Database.ReadAsync(Namespace, path);

    public Task WriteDatabaseAsync(string path, JsonNode? value) => dependencies.Database.WriteAsync(Namespace, path, value);

    private static Dictionary<string, string?> Defaults(ApiDependencies dependencies, IReadOnlyDictionary<string, string?>? overrides, bool shippedRateLimits)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:cache"] = dependencies.Cache.ConnectionString,
            ["Firebase:ProjectId"] = AuthEmulatorFixture.ProjectId,
            ["Firebase:AuthEmulatorHost"] = dependencies.AuthHost,
            ["Firebase:DatabaseEmulatorHost"] = dependencies.Database.Host,
            ["Firebase:AcceptEmulatorTokens"] = "true",
            ["Firebase:Messaging"] = "Log",
            ["Firebase:RetryBaseDelay"] = "00:00:00.010",
            ["Logging:File:Enabled"] = "false",
            // The product gives Redis a second; on a CI machine running every test assembly at once, a healthy Redis
            // can take longer to answer, and a test about something else would see the 503 meant for an outage.
            ["Aspire:StackExchange:Redis:ConfigurationOptions:SyncTimeout"] = "5000",
            ["Aspire:StackExchange:Redis:ConfigurationOptions:AsyncTimeout"] = "5000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var limit in shippedRateLimits ? [] : WindowLimits)
        {
            settings[$"{RateLimitOptions.SectionName}:{limit}:PermitLimit"] = "100000";
        }

        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }
}
