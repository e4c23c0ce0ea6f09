using System.Diagnostics;
using System.Diagnostics.Metrics;
using AuthApp.Domain.Changes;
using AuthApp.Domain.Schedules;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using AuthApp.Scheduler;
using AuthApp.Scheduler.Schedules;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.Bench.Scheduler;

/// <summary>
/// What a worker did in one phase: counts, wall time, the lateness of every occurrence fired (s), the CPU time its
/// process used (ms: on a machine shared with other work, wall time varies, CPU time much less), memory peaks (MiB).
/// </summary>
internal sealed record PhaseResult(
    int Fired, int Other, double Milliseconds, double[] Lateness, double CpuMilliseconds, double PeakWorkingSetMb, double PeakHeapMb, double AllocatedMb)
{
    /// <summary>Several workers in one phase: counts add up, the phase lasts as long as the slowest, memory is the highest.</summary>
    public static PhaseResult Combine(IReadOnlyList<PhaseResult> results) => new(
        results.Sum(result => result.Fired),
        results.Sum(result => result.Other),
        results.Max(result => result.Milliseconds),
        [.. results.SelectMany(result => result.Lateness).Order()],
        results.Sum(result => result.CpuMilliseconds),
        results.Max(result => result.PeakWorkingSetMb),
        results.Max(result => result.PeakHeapMb),
        results.Sum(result => result.AllocatedMb));

    public double Percentile(double quantile) =>
        Lateness.Length == 0 ? 0 : Lateness[Math.Min(Lateness.Length - 1, (int)Math.Ceiling(quantile * Lateness.Length) - 1)];
}

/// <summary>A scheduler worker under test: in this process, or in a child process (<see cref="WorkerProcess"/>).</summary>
internal interface IBenchWorker : IAsyncDisposable
{
    /// <summary>Rebuilds the index with the clock at <paramref name="now"/>.</summary>
    Task<PhaseResult> RebuildAsync(DateTimeOffset now);

    /// <summary>Drains what is due with the clock set to <paramref name="now"/> when the phase starts.</summary>
    Task<PhaseResult> FireAsync(DateTimeOffset now);
}

/// <summary>
/// The worker's real components (runner, rebuilder, Firebase client, Redis, the work queue) wired as the worker
/// wires them, against the given emulator and Redis, with a <see cref="ShiftedClock"/>. Lateness is read from the
/// runner's own histogram; memory is sampled every 20 ms during a phase.
/// </summary>
internal sealed class BenchWorker : IBenchWorker
{
    private readonly IHost _host;
    private readonly ShiftedClock _clock;
    private readonly MeterListener _lateness = new();
    private readonly List<double> _latenessSeconds = [];

    private BenchWorker(IHost host, ShiftedClock clock)
    {
        _host = host;
        _clock = clock;
        _lateness.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SchedulerTelemetry.Name && instrument.Name == "authapp.scheduler.schedules.lateness")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _lateness.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_latenessSeconds)
            {
                _latenessSeconds.Add(value);
            }
        });
        _lateness.Start();
    }

    public static async Task<BenchWorker> StartAsync(string databaseHost, string redisConnection, WorkerSettings settings)
    {
        var clock = new ShiftedClock();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, Args = [] });
        builder.Logging.ClearProviders();
        // Logs go to stderr: in a child process stdout carries the results.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration["Firebase:ProjectId"] = "demo-authapp";
        builder.Configuration["Firebase:ApiKey"] = "bench";
        builder.Configuration["Firebase:DatabaseEmulatorHost"] = databaseHost;
        builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
        builder.AddFirebase();
        builder.AddUserChangeFeed(ChangeSource.Schedule);
        if (settings.LatencyMs > 0)
        {
            builder.Services.AddSingleton<IFirebaseDatabase>(services =>
                new LatentDatabase(services.GetRequiredService<FirebaseDatabaseClient>(), TimeSpan.FromMilliseconds(settings.LatencyMs)));
        }

        builder.AddWorkQueue();
        builder.Services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(redisConnection));
        builder.Services.AddSingleton(Options.Create(new SchedulerOptions
        {
            BatchSize = settings.BatchSize,
            BatchesInFlight = settings.BatchesInFlight,
            ReadParallelism = settings.ReadParallelism,
            RebuildPageSize = settings.RebuildPageSize,
        }));
        builder.Services.AddSingleton<SchedulerTelemetry>();
        builder.Services.AddSingleton<DueScheduleIndex>();
        builder.Services.AddSingleton<DueClaims>();
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleRunner>(services, (TimeProvider)clock));
        builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleIndexRebuilder>(services, (TimeProvider)clock));
        var host = builder.Build();
        await host.StartAsync();
        return new BenchWorker(host, clock);
    }

    public Task<PhaseResult> RebuildAsync(DateTimeOffset now) => MeasureAsync(now, async () =>
    {
        var summary = await _host.Services.GetRequiredService<ScheduleIndexRebuilder>().RebuildAsync(CancellationToken.None)
            ?? throw new InvalidOperationException("Another rebuild holds the lock.");
        return (summary.Schedules, summary.Users);
    });

    public Task<PhaseResult> FireAsync(DateTimeOffset now) => MeasureAsync(now, async () =>
    {
        var cycle = await _host.Services.GetRequiredService<ScheduleRunner>().RunDueAsync(CancellationToken.None);
        return (cycle[FireOutcome.Fired], cycle.Total - cycle[FireOutcome.Fired]);
    });

    private async Task<PhaseResult> MeasureAsync(DateTimeOffset now, Func<Task<(int Done, int Other)>> phase)
    {
        lock (_latenessSeconds)
        {
            _latenessSeconds.Clear();
        }

        var peakWorkingSet = Environment.WorkingSet;
        var peakHeap = GC.GetTotalMemory(false);
        using var sampler = new Timer(_ =>
        {
            Interlocked.Exchange(ref peakWorkingSet, Math.Max(Interlocked.Read(ref peakWorkingSet), Environment.WorkingSet));
            Interlocked.Exchange(ref peakHeap, Math.Max(Interlocked.Read(ref peakHeap), GC.GetTotalMemory(false)));
        }, null, 0, 20);
        var allocated = GC.GetTotalAllocatedBytes();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _clock.Set(now);
        var watch = Stopwatch.StartNew();
        var (done, other) = await phase();
        var elapsed = watch.Elapsed;
        double[] lateness;
        lock (_latenessSeconds)
        {
            lateness = [.. _latenessSeconds.Order()];
        }

        return new PhaseResult(done, other, elapsed.TotalMilliseconds, lateness,
            (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds,
            Interlocked.Read(ref peakWorkingSet) / 1048576.0, Interlocked.Read(ref peakHeap) / 1048576.0,
            (GC.GetTotalAllocatedBytes() - allocated) / 1048576.0);
    }

    public async ValueTask DisposeAsync()
    {
        _lateness.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }
}

/// <summary>The worker's tuning, the same for every worker of a run.</summary>
internal sealed record WorkerSettings(int BatchSize, int BatchesInFlight, int ReadParallelism, int RebuildPageSize, int LatencyMs)
{
    public string[] ToArgs() =>
    [
        "--batch", $"{BatchSize}", "--in-flight", $"{BatchesInFlight}", "--read-parallelism", $"{ReadParallelism}", "--page", $"{RebuildPageSize}",
        "--latency", $"{LatencyMs}",
    ];
}
