using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using AuthApp.Scheduler;
using AuthApp.Scheduler.Faults;
using AuthApp.Scheduler.Schedules;
using AuthApp.WorkQueue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>
/// The scheduler's components over the real emulator and a real Redis, with a fake clock and a recording
/// queue. Each harness has its own database namespace and Redis database, so tests run in parallel.
/// </summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    private static int _nextRedisDatabase;

    private readonly IHost _host;
    private readonly ConnectionMultiplexer _redis;

    private SchedulerHarness(IHost host, ConnectionMultiplexer redis, FakeTimeProvider clock)
    {
        _host = host;
        _redis = redis;
        Clock = clock;
    }

    public FakeTimeProvider Clock { get; }

    public RecordingQueue Queue => _host.Services.GetRequiredService<RecordingQueue>();

    public IFirebaseDatabase Database => _host.Services.GetRequiredService<IFirebaseDatabase>();

    public IServiceProvider Services => _host.Services;

    public IDatabase Redis => _redis.GetDatabase();

    public DueScheduleIndex Index => _host.Services.GetRequiredService<DueScheduleIndex>();

    public static async Task<SchedulerHarness> StartAsync(
        RedisServerFixture redisFixture, DatabaseEmulatorFixture emulator, DateTimeOffset now, Action<SchedulerOptions>? scheduler = null, Action<FaultOptions>? faults = null)
    {
        var databaseNumber = Interlocked.Increment(ref _nextRedisDatabase) % 16;
        var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redisFixture.Port},defaultDatabase={databaseNumber}");
        await redis.GetDatabase().ExecuteAsync("FLUSHDB");

        var clock = new FakeTimeProvider(now);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Logging.ClearProviders();
        builder.Configuration["Firebase:ProjectId"] = "demo-t" + Guid.NewGuid().ToString("N")[..12];
        builder.Configuration["Firebase:ApiKey"] = "test";
        builder.Configuration["Firebase:DatabaseEmulatorHost"] = emulator.Host;
        builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
        builder.AddFirebase();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddSingleton<RecordingQueue>();
        builder.Services.AddSingleton<IWorkQueue>(services => services.GetRequiredService<RecordingQueue>());
        builder.Services.AddSingleton(Options.Create(Configure(new SchedulerOptions(), scheduler)));
        builder.Services.AddSingleton(Options.Create(Configure(new FaultOptions(), faults)));
        builder.Services.AddSingleton<SchedulerTelemetry>();
        builder.Services.AddSingleton<DueScheduleIndex>();
        builder.Services.AddSingleton<OccurrenceClaims>();
        // Only the scheduler's own components see the fake clock (the HTTP resilience keeps real time).
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleRunner>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleIndexRebuilder>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<FaultNotifier>(services, (TimeProvider)clock));
        var host = builder.Build();
        await host.StartAsync();
        return new SchedulerHarness(host, redis, clock);
    }

    /// <summary>A second runner over the same database and Redis: another replica.</summary>
    public ScheduleRunner CreateReplica() => ActivatorUtilities.CreateInstance<ScheduleRunner>(_host.Services, (TimeProvider)Clock);

    public ScheduleRunner Runner => _host.Services.GetRequiredService<ScheduleRunner>();

    public ScheduleIndexRebuilder Rebuilder => _host.Services.GetRequiredService<ScheduleIndexRebuilder>();

    public FaultNotifier Faults => _host.Services.GetRequiredService<FaultNotifier>();

    /// <summary>A user with one venue and device, and optionally a schedule for that device.</summary>
    public async Task<ScheduleId> AddUserAsync(string uid, string? time = "07:30 AM", string? userZone = null, string? scheduleZone = null,
        string status = "enable", long? lastNotified = null)
    {
        var user = new JsonObject
        {
            ["email"] = $"{uid}@example.com",
            ["fcmToken"] = "token-" + uid,
            ["venues"] = new JsonObject { ["kitchen"] = new JsonObject { ["__created"] = true, ["lamp"] = "off" } },
        };
        if (userZone is not null)
        {
            user["timeZone"] = userZone;
        }

        if (time is not null)
        {
            var schedule = new JsonObject { ["time"] = time, ["action"] = "on", ["status"] = status };
            if (scheduleZone is not null)
            {
                schedule["timeZone"] = scheduleZone;
            }

            if (lastNotified is not null)
            {
                schedule["lastNotified"] = lastNotified;
            }

            user["schedules"] = new JsonObject { ["kitchen"] = new JsonObject { ["lamp"] = schedule } };
        }

        await Database.SetAsync($"users/{uid}", user);
        return new ScheduleId(uid, "kitchen", "lamp");
    }

    public async Task<double?> ScoreAsync(ScheduleId id) => await Redis.SortedSetScoreAsync(DueScheduleIndex.DueKey, id.ToString());

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _redis.DisposeAsync();
    }

    private static T Configure<T>(T options, Action<T>? configure)
    {
        configure?.Invoke(options);
        return options;
    }

    private sealed class OwnerToken : IFirebaseAccessTokenProvider
    {
        public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult("owner");
    }
}

/// <summary>An <see cref="IWorkQueue"/> that records what was enqueued.</summary>
public sealed class RecordingQueue : IWorkQueue
{
    public ConcurrentQueue<object> Jobs { get; } = new();

    public Task<string> EnqueueAsync<TJob>(TJob job, CancellationToken cancellationToken = default)
        where TJob : IJob
    {
        Jobs.Enqueue(job);
        return Task.FromResult(Guid.NewGuid().ToString());
    }

    public IReadOnlyList<T> OfType<T>() => Jobs.OfType<T>().ToList();
}
