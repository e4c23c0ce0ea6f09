using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Changes;
using AuthApp.Domain.Jobs;
using AuthApp.Domain.Schedules;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using AuthApp.Scheduler.Faults;
using AuthApp.Scheduler.Health;
using AuthApp.Scheduler.Schedules;
using AuthApp.WorkQueue;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>
/// The scheduler's components over the real emulator, a real Redis and the real work queue (producer only: what the
/// runner enqueues stays in the stream to be inspected), with a fake clock. Each harness has its own database
/// namespace and Redis database, so tests run in parallel; on a Redis Cluster, which has one database, harnesses take
/// turns and each starts from an empty cluster.
/// </summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    public const string JobStream = "test:jobs";

    // Redis has 16 databases: each live harness holds one of its own and gives it back when disposed, so that a
    // harness's FLUSHDB or rebuild marker never lands in a database another test is still using.
    private static readonly SemaphoreSlim FreeRedisDatabases = new(16, 16);
    private static readonly ConcurrentQueue<int> RedisDatabases = new(Enumerable.Range(0, 16));

    // A cluster's harnesses take turns: a claim takes whatever is due in the whole index.
    private static readonly SemaphoreSlim ClusterTurn = new(1, 1);

    private readonly IHost _host;
    private readonly ConnectionMultiplexer _redis;
    private readonly TakenRedis _taken;

    private SchedulerHarness(IHost host, TakenRedis taken, FakeTimeProvider clock)
    {
        _host = host;
        _redis = taken.Connection;
        _taken = taken;
        Clock = clock;
    }

    /// <summary>The harness's Redis, how to empty it (as Redis losing its data would) and how to give it back.</summary>
    private sealed record TakenRedis(ConnectionMultiplexer Connection, Func<Task> Flush, Action Release);

    /// <summary>Empties the harness's Redis, as a Redis restarted without its data would be.</summary>
    public Task FlushRedisAsync() => _taken.Flush();

    public FakeTimeProvider Clock { get; }

    public IFirebaseDatabase Database => _host.Services.GetRequiredService<IFirebaseDatabase>();

    /// <summary>The harness's own database namespace in the emulator (for rules and clients' own requests).</summary>
    public string Namespace => _host.Services.GetRequiredService<FirebaseDatabaseClient>().Endpoint.Namespace!;

    public IServiceProvider Services => _host.Services;

    public IDatabase Redis => _redis.GetDatabase();

    public DueScheduleIndex Index => _host.Services.GetRequiredService<DueScheduleIndex>();

    public FakeLogCollector Logs => _host.Services.GetRequiredService<FakeLogCollector>();

    public static async Task<SchedulerHarness> StartAsync(
        IRedisTarget redisTarget, DatabaseEmulatorFixture emulator, DateTimeOffset now, Action<SchedulerOptions>? scheduler = null, Action<FaultOptions>? faults = null,
        string? authEmulatorHost = null)
    {
        var taken = await TakeRedisAsync(redisTarget);
        try
        {
            return await StartOnAsync(taken, emulator, now, scheduler, faults, authEmulatorHost);
        }
        catch
        {
            await taken.Connection.DisposeAsync();
            taken.Release();
            throw;
        }
    }

    /// <summary>A Redis of the harness's own: a database of the server, emptied, or the whole cluster, flushed, for its turn.</summary>
    private static async Task<TakenRedis> TakeRedisAsync(IRedisTarget target)
    {
        var gate = target is RedisServerFixture ? FreeRedisDatabases : ClusterTurn;
        if (!await gate.WaitAsync(TimeSpan.FromMinutes(1)))
        {
            throw new InvalidOperationException($"No Redis ({target.Name}) came free within a minute: a harness was not disposed.");
        }

        try
        {
            if (target is RedisServerFixture && RedisDatabases.TryDequeue(out var number))
            {
                var redis = await ConnectionMultiplexer.ConnectAsync($"{target.ConnectionString},defaultDatabase={number},allowAdmin=true");
                Task FlushDatabase() => redis.GetDatabase().ExecuteAsync("FLUSHDB");
                await FlushDatabase();
                return new(redis, FlushDatabase, () =>
                {
                    RedisDatabases.Enqueue(number);
                    gate.Release();
                });
            }

            await target.FlushAsync();
            return new(await ConnectionMultiplexer.ConnectAsync(target.ConnectionString), () => target.FlushAsync(), () => gate.Release());
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private static async Task<SchedulerHarness> StartOnAsync(
        TakenRedis taken, DatabaseEmulatorFixture emulator, DateTimeOffset now,
        Action<SchedulerOptions>? scheduler, Action<FaultOptions>? faults, string? authEmulatorHost)
    {
        var redis = taken.Connection;
        var clock = new FakeTimeProvider(now);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Logging.ClearProviders();
        builder.Logging.AddFakeLogging();
        builder.Configuration["Firebase:ProjectId"] = authEmulatorHost is null ? "demo-t" + Guid.NewGuid().ToString("N")[..12] : AuthEmulatorFixture.ProjectId;
        builder.Configuration["Firebase:AuthEmulatorHost"] = authEmulatorHost;
        builder.Configuration["Firebase:ApiKey"] = "test";
        builder.Configuration["Firebase:DatabaseEmulatorHost"] = emulator.Host;
        builder.Configuration["WorkQueue:StreamName"] = JobStream;
        builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
        builder.AddFirebase();
        builder.AddUserChangeFeed(ChangeSource.Schedule);
        builder.AddWorkQueue();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
        builder.Services.AddSingleton(Options.Create(Configure(new SchedulerOptions(), scheduler)));
        builder.Services.AddSingleton(Options.Create(Configure(new FaultOptions(), faults)));
        builder.Services.AddSingleton<SchedulerTelemetry>();
        builder.Services.AddSingleton<DueScheduleIndex>();
        builder.Services.AddSingleton<DueClaims>();
        // Only the scheduler's own components see the fake clock (the HTTP resilience keeps real time).
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleRunner>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleIndexRebuilder>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<FaultNotifier>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<IndexRebuildTrigger>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<HeartbeatMonitor>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<Heartbeat>(services, (TimeProvider)clock));
        var host = builder.Build();
        await host.StartAsync();
        return new SchedulerHarness(host, taken, clock);
    }

    public ScheduleRunner Runner => _host.Services.GetRequiredService<ScheduleRunner>();

    public ScheduleIndexRebuilder Rebuilder => _host.Services.GetRequiredService<ScheduleIndexRebuilder>();

    public FaultNotifier Faults => _host.Services.GetRequiredService<FaultNotifier>();

    /// <summary>
    /// Another replica over the same Redis: its own runner, with its own view of the database and the queue when
    /// given (to stall or break it), the same fake clock.
    /// </summary>
    public ScheduleRunner CreateReplica(IFirebaseDatabase? database = null, IWorkQueue? queue = null) =>
        ActivatorUtilities.CreateInstance<ScheduleRunner>(_host.Services,
            [(TimeProvider)Clock, database ?? Database, queue ?? _host.Services.GetRequiredService<IWorkQueue>()]);

    /// <summary>The worker's loop as a replica runs it (not started).</summary>
    internal ScheduleLoop CreateLoop() => ActivatorUtilities.CreateInstance<ScheduleLoop>(_host.Services, (TimeProvider)Clock);

    public FaultNotifier CreateFaultNotifier(IFirebaseDatabase database) =>
        ActivatorUtilities.CreateInstance<FaultNotifier>(_host.Services, (TimeProvider)Clock, database);

    public ScheduleIndexRebuilder CreateRebuilder(IFirebaseDatabase database) =>
        ActivatorUtilities.CreateInstance<ScheduleIndexRebuilder>(_host.Services, (TimeProvider)Clock, database);

    /// <summary>A user with one venue and device, and optionally a schedule for that device.</summary>
    public async Task<ScheduleId> AddUserAsync(string uid, string? time = "07:30 AM", string? userZone = null, string? scheduleZone = null,
        string status = "enable", long? lastNotified = null, string venue = "kitchen", string device = "lamp")
    {
        var user = new JsonObject
        {
            ["email"] = $"{uid}@example.com",
            ["fcmToken"] = "token-" + uid,
            ["venues"] = new JsonObject { [venue] = new JsonObject { ["__created"] = true, [device] = "off" } },
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

            user["schedules"] = new JsonObject { [venue] = new JsonObject { [device] = schedule } };
        }

        await Database.SetAsync($"users/{uid}", user);
        return new ScheduleId(uid, venue, device);
    }

    /// <summary>
    /// <paramref name="users"/> users (<c>{prefix}000</c>...) with <paramref name="devices"/> lamps each, every lamp
    /// scheduled at <paramref name="time"/> (UTC) and indexed at <paramref name="occurrence"/>; one database write.
    /// </summary>
    public async Task<IReadOnlyList<ScheduleId>> AddBurstAsync(string prefix, int users, int devices, string time, DateTimeOffset occurrence)
    {
        var records = new Dictionary<string, JsonNode?>();
        var ids = new List<ScheduleId>();
        for (var u = 0; u < users; u++)
        {
            var uid = $"{prefix}{u:D3}";
            var venue = new JsonObject { ["__created"] = true };
            var schedules = new JsonObject();
            for (var d = 0; d < devices; d++)
            {
                venue[$"lamp{d}"] = "off";
                schedules[$"lamp{d}"] = new JsonObject { ["time"] = time, ["action"] = "on", ["status"] = "enable" };
                ids.Add(new ScheduleId(uid, "hall", $"lamp{d}"));
            }

            records[uid] = new JsonObject { ["venues"] = new JsonObject { ["hall"] = venue }, ["schedules"] = new JsonObject { ["hall"] = schedules } };
        }

        await Database.UpdateAsync("users", records);
        foreach (var id in ids)
        {
            await Index.UpsertAsync(id, occurrence);
        }

        return ids;
    }

    public async Task<double?> ScoreAsync(ScheduleId id) => await Redis.SortedSetScoreAsync(ScheduleIndexShard.Of(id.Uid).DueKey, id.ToString());

    /// <summary>How many entries the due sets hold (quarantined and removed ones are not in them).</summary>
    public async Task<long> DueEntriesAsync() =>
        (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => Redis.SortedSetLengthAsync(shard.DueKey)))).Sum();

    /// <summary>How many entries the shards' held hashes hold (claimed, or waiting for a retry).</summary>
    public async Task<long> HeldEntriesAsync() =>
        (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => Redis.HashLengthAsync(shard.HeldKey)))).Sum();

    /// <summary>How many entries the shards' quarantines hold.</summary>
    public async Task<long> QuarantinedEntriesAsync() =>
        (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => Redis.HashLengthAsync(shard.QuarantineKey)))).Sum();

    /// <summary>Builds the index from the database (a test whose loop must find it built).</summary>
    public async Task BuildIndexAsync() => Assert.True((await Rebuilder.RebuildAsync(TestContext.Current.CancellationToken))!.Completed);

    /// <summary>Whether every shard of the index is marked built.</summary>
    public async Task<bool> IndexBuiltAsync() =>
        (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => Redis.KeyExistsAsync(shard.BuiltKey)))).All(built => built);

    public async Task<string?> DeviceAsync(ScheduleId id) =>
        (string?)await Database.GetAsync($"users/{id.Uid}/venues/{id.Venue}/{id.Device}");

    /// <summary>The pushes waiting in the work queue's stream, in order.</summary>
    public Task<IReadOnlyList<SendPushJob>> QueuedPushesAsync() => QueuedJobsAsync<SendPushJob>();

    /// <summary>The jobs of one type waiting in the work queue's stream, in order.</summary>
    public async Task<IReadOnlyList<TJob>> QueuedJobsAsync<TJob>() where TJob : IJob
    {
        var entries = await Redis.StreamRangeAsync(JobStream);
        return entries
            .Where(entry => entry["type"] == TJob.JobType)
            .Select(entry => JsonSerializer.Deserialize<TJob>((string)entry["payload"]!, JsonSerializerOptions.Web)!)
            .ToList();
    }

    /// <summary>The audit stream: one (schedule, occurrence, outcome) per occurrence fired.</summary>
    public async Task<IReadOnlyList<(string Id, long Occurrence, string Outcome)>> AuditAsync()
    {
        var streams = await Task.WhenAll(ScheduleIndexShard.All.Select(shard => Redis.StreamRangeAsync(shard.AuditStream)));
        return streams.SelectMany(entries => entries)
            .OrderBy(entry => (long)entry["firedAt"])
            .Select(entry => ((string)entry["id"]!, (long)entry["occurrence"], (string)entry["outcome"]!)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _redis.DisposeAsync();
        _taken.Release();
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
