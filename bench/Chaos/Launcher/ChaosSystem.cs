using System.Globalization;
using System.Net;
using AuthApp.Testing;

namespace AuthApp.Bench.Chaos.Launcher;

/// <summary>
/// The system under test, as separate OS processes on this machine: Redis (one append-only node, or a local cluster),
/// the official Auth emulator and the project's database emulator, each behind a <see cref="TcpProxy"/> that the
/// faults stall, cut or slow down, then two API replicas and two scheduler workers (the built Release services).
/// The services get the configuration a deployment gives them, plus only what a test run needs (see
/// <see cref="ServiceEnvironment"/>).
/// </summary>
public sealed class ChaosSystem : IAsyncDisposable
{
    public const string ProjectId = AuthEmulatorFixture.ProjectId;
    public const string DatabaseNamespace = ProjectId + "-default-rtdb";
    public const int Replicas = 2;

    private readonly List<IAsyncDisposable> _started = [];

    private ChaosSystem(string runDirectory, IRedisDeployment redis)
    {
        RunDirectory = runDirectory;
        Redis = redis;
    }

    public string RunDirectory { get; }

    public IRedisDeployment Redis { get; }

    public AuthEmulatorFixture Auth { get; } = new();

    /// <summary><c>127.0.0.1:port</c> of the Auth emulator itself (the harness's own calls go straight to it).</summary>
    public string AuthHost { get; private set; } = "";

    /// <summary>The services' link to the Auth emulator.</summary>
    public TcpProxy AuthLink { get; private set; } = null!;

    public ServiceProcess Database { get; private set; } = null!;

    /// <summary>The services' link to the database emulator.</summary>
    public TcpProxy DatabaseLink { get; private set; } = null!;

    public IReadOnlyList<ServiceProcess> Apis { get; private set; } = [];

    public IReadOnlyList<ServiceProcess> Workers { get; private set; } = [];

    public static async Task<ChaosSystem> StartAsync(ChaosOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var runDirectory = Directory.CreateTempSubdirectory("authapp-chaos-").FullName;
        var logs = Directory.CreateDirectory(Path.Combine(runDirectory, "logs")).FullName;
        var redis = options.Redis == RedisMode.Cluster
            ? (IRedisDeployment)new ClusterRedis()
            : new SingleRedis(new RedisNode("redis", Path.Combine(runDirectory, "redis"), logs));
        var system = new ChaosSystem(runDirectory, redis);
        try
        {
            await system.StartAsync(logs, progress, cancellationToken);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string logs, TextWriter progress, CancellationToken cancellationToken)
    {
        progress.WriteLine($"Run folder: {RunDirectory}");
        _started.Add(Redis);
        var dependencies = new List<Task>
        {
            Redis.StartAsync(cancellationToken),
            Task.Run(async () => AuthHost = await Auth.GetHostAsync(), cancellationToken),
        };

        Database = new ServiceProcess("database", "AuthApp.DatabaseEmulator", logs, new Dictionary<string, string>
        {
            ["Rules__Path"] = RepoPaths.ProductRules,
            ["Database__DefaultNamespace"] = DatabaseNamespace,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        }, healthPath: "/__health");
        _started.Add(Database);
        dependencies.Add(Database.StartAsync(cancellationToken));
        await Task.WhenAll(dependencies);
        _started.Add(Auth);
        progress.WriteLine($"Redis ({Redis.Description}) at {Redis.ConnectionString}; Auth emulator at {AuthHost}; database emulator at {Database.BaseAddress}");

        AuthLink = new TcpProxy(IPEndPoint.Parse(AuthHost));
        DatabaseLink = new TcpProxy(new IPEndPoint(IPAddress.Loopback, Database.BaseAddress.Port));
        _started.Add(AuthLink);
        _started.Add(DatabaseLink);

        Apis = [.. Enumerable.Range(1, Replicas).Select(replica => Service("api", "AuthApp.Api", replica, logs))];
        Workers = [.. Enumerable.Range(1, Replicas).Select(replica => Service("scheduler", "AuthApp.Scheduler", replica, logs))];
        _started.AddRange(Apis);
        _started.AddRange(Workers);
        // One at a time: four .NET processes starting at once on two cores take longer than one after another.
        foreach (var service in Apis.Concat(Workers))
        {
            await service.StartAsync(cancellationToken);
            progress.WriteLine($"{service.Name} ready at {service.BaseAddress}");
        }
    }

    private ServiceProcess Service(string service, string project, int replica, string logs)
    {
        var name = $"{service}-{replica}";
        var environment = ServiceEnvironment(service, name, replica, logs);
        return new ServiceProcess(name, project, logs, environment);
    }

    /// <summary>
    /// A deployment's settings (Redis, Firebase, the instance id the replicas compare notes under) on the emulators,
    /// and what differs for this run, all of it test configuration rather than product behaviour:
    /// <list type="bullet">
    /// <item>Development, with the emulators' unsigned ID tokens accepted (as the AppHost's local run does);
    /// pushes logged, not sent (<c>Firebase:Messaging=Log</c>, Development's default).</item>
    /// <item>The API trusts <c>X-Forwarded-For</c> from 127.0.0.1, as it would from a deployment's ingress: each
    /// simulated tenant presents an address of its own, so the per-address limits (five logins a minute) apply per
    /// tenant as they would to real clients, instead of to the whole load generator. No limit is raised.</item>
    /// <item>Console logs as JSON lines with UTC timestamps (the checker reads them: pushes, skipped occurrences,
    /// completed jobs), the work queue's job lines at Debug, the API's rolling file log in the run folder.</item>
    /// </list>
    /// </summary>
    private Dictionary<string, string> ServiceEnvironment(string service, string name, int replica, string logs)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ConnectionStrings__cache"] = Redis.ConnectionString,
            ["Firebase__ProjectId"] = ProjectId,
            ["Firebase__AuthEmulatorHost"] = $"127.0.0.1:{AuthLink.Port}",
            ["Firebase__DatabaseEmulatorHost"] = $"127.0.0.1:{DatabaseLink.Port}",
            ["Firebase__AcceptEmulatorTokens"] = "true",
            ["Firebase__Messaging"] = "Log",
            ["OTEL_SERVICE_NAME"] = service,
            ["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={name}",
            ["ServiceInstance__Replica"] = replica.ToString(CultureInfo.InvariantCulture),
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ",
            ["Logging__LogLevel__Default"] = "Information",
            ["Logging__LogLevel__AuthApp.WorkQueue"] = "Debug",
        };
        if (service == "api")
        {
            environment["ReverseProxy__TrustedProxies__0"] = "127.0.0.1";
            environment["Logging__File__Path"] = Path.Combine(logs, name, "app.log");
        }

        return environment;
    }

    /// <summary>Stops the services together (each given a few seconds to stop politely), then what they depended on.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Apis.Concat(Workers).Select(StopAsync));
        foreach (var dependency in _started.Except(Apis.Concat(Workers)).Reverse())
        {
            await StopAsync(dependency);
        }

        static async Task StopAsync(IAsyncDisposable component)
        {
            try
            {
                await component.DisposeAsync();
            }
            catch (Exception exception)
            {
                Console.Error.WriteLine($"stopping {component.GetType().Name}: {exception.Message}");
            }
        }
    }
}
