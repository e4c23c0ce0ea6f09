namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// What the API talks to, started once for the whole run: a real redis-server, the official Auth emulator and
/// the project's database emulator, each on a free loopback port. Every <see cref="ApiFactory"/> gets its own
/// database namespace; users are unique by e-mail and Redis keys are per user or per client address.
/// <see cref="OnCluster"/> is the same dependencies with a Redis Cluster as the API's cache, for tests that run on both.
/// </summary>
public sealed class ApiDependencies : IAsyncLifetime
{
    private readonly Lazy<ApiFactory> _shared;
    private readonly ApiDependencies? _root;
    private ApiDependencies? _onCluster;

    public ApiDependencies()
    {
        _shared = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
        Cache = Redis;
    }

    private ApiDependencies(ApiDependencies root, IRedisTarget cache)
    {
        _shared = new(StartShared, LazyThreadSafetyMode.ExecutionAndPublication);
        _root = root;
        Redis = root.Redis;
        Auth = root.Auth;
        Database = root.Database;
        AuthHost = root.AuthHost;
        Cache = cache;
    }

    /// <summary>The single redis-server (for tests that reach it directly: its port, its commands' statistics).</summary>
    public RedisServerFixture Redis { get; } = new();

    /// <summary>The Redis the API gets as its <c>cache</c> connection string: <see cref="Redis"/>, or a cluster.</summary>
    public IRedisTarget Cache { get; }

    /// <summary>
    /// These dependencies with <paramref name="cluster"/> as the API's cache (one view per run; its shared API, if a
    /// test starts it, is disposed with the run). A test class written against <see cref="ApiDependencies"/> runs on
    /// the cluster through a subclass that passes <c>dependencies.OnCluster(cluster)</c>.
    /// </summary>
    public ApiDependencies OnCluster(RedisClusterFixture cluster)
    {
        if (_root is not null)
        {
            return _root.OnCluster(cluster);
        }
        lock (_shared)
        {
            return _onCluster ??= new ApiDependencies(this, cluster);
        }
    }

    /// <summary>
    /// One API with the default settings, started on first use and shared by every test of plain behaviour (the
    /// way the AppHost's API serves every client): a host of its own per class or per test would cost each its
    /// start-up. A test that injects faults, reads the logs or needs other settings makes its own <see cref="ApiFactory"/>.
    /// </summary>
    public ApiFactory SharedApi => _shared.Value;

    public AuthEmulatorFixture Auth { get; } = new();

    public DatabaseEmulatorFixture Database { get; } = new();

    public string AuthHost { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var auth = Auth.GetHostAsync();
        await Task.WhenAll(Redis.InitializeAsync().AsTask(), Database.InitializeAsync().AsTask());
        AuthHost = await auth;
    }

    /// <summary>
    /// The settings of an API process (<see cref="ApiProcess"/>) over these dependencies, as environment variables:
    /// a database namespace of its own, pushes logged rather than sent.
    /// </summary>
    public Dictionary<string, string> ProcessEnvironment() => new()
    {
        ["ConnectionStrings__cache"] = Cache.ConnectionString,
        ["Firebase__ProjectId"] = AuthEmulatorFixture.ProjectId,
        ["Firebase__AuthEmulatorHost"] = AuthHost,
        ["Firebase__DatabaseEmulatorHost"] = Database.Host,
        ["Firebase__DatabaseUrl"] = $"https://{DatabaseEmulatorFixture.NewNamespace()}.firebaseio.com",
        ["Firebase__Messaging"] = "Log",
    };

    private ApiFactory StartShared()
    {
        var api = new ApiFactory(this);
        _ = api.Server; // started here, once: WebApplicationFactory does not guard its lazy start against two threads
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        if (_shared.IsValueCreated)
        {
            await _shared.Value.DisposeAsync();
        }
        if (_onCluster is not null)
        {
            await _onCluster.DisposeAsync();
        }
        if (_root is not null)
        {
            return; // the root owns the processes
        }

        await Database.DisposeAsync();
        await Auth.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
