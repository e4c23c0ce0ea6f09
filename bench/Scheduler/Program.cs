// Fires the due schedules of a day's key minutes among N schedules with the real worker code, and rebuilds the index.
// Usage: dotnet run -c Release --project bench/Scheduler -- [--users 100000] [--per-user 10] [--burst 10000]
//          [--in-process] [--batch 500] [--in-flight 2] [--read-parallelism 64] [--page 1000] [--latency 0]
//          [--hostile-megabytes 0] (one more tenant with that many MB of sensor readings and a schedule at 07:30)
//          [--redis single|cluster] (one redis-server, or a local Redis Cluster of three masters and three replicas)
// (the worker's tuning defaults to SchedulerOptions' defaults).
// The Realtime Database emulator runs in this process on 127.0.0.1; the index, leases and queue use a real
// redis-server on a free port, or a real local Redis Cluster. Workers run in child processes of their own (so their memory is their own),
// or with --in-process in this process, beside the emulator. Each phase sets the workers' clocks to its minute
// and lets real time run: the lateness reported is the real time it took to fire each occurrence. --latency adds a
// round trip (ms) to each of the workers' database calls, as against the real Realtime Database.
using System.Diagnostics;
using System.Globalization;
using AuthApp.Bench.Scheduler;
using AuthApp.DatabaseEmulator;
using AuthApp.Domain.Schedules;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using AuthApp.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

var defaults = new AuthApp.Scheduler.Schedules.SchedulerOptions();
var settings = new WorkerSettings(Arg("--batch", defaults.BatchSize), Arg("--in-flight", defaults.BatchesInFlight),
    Arg("--read-parallelism", defaults.ReadParallelism), Arg("--page", defaults.RebuildPageSize), Arg("--latency", 0));
if (args is ["worker", var workerDatabase, var workerRedis, ..])
{
    await WorkerProcess.ServeAsync(workerDatabase, workerRedis, settings);
    return;
}

var users = Arg("--users", 100_000);
var perUser = Arg("--per-user", 10);
var burst = Arg("--burst", 10_000);
var inProcess = args.Contains("--in-process");
var hostileMegabytes = Arg("--hostile-megabytes", 0);

var emulator = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
await emulator.StartAsync();
var databaseHost = new Uri(emulator.Urls.First()).Authority;
await using var redis = await BenchRedis.StartAsync(StringArg("--redis", "single"));

Console.WriteLine($"Scheduler benchmark: {users * perUser:N0} schedules of {users:N0} users, bursts of {burst:N0}, " +
    $"workers {(inProcess ? "in the emulator's process" : "in processes of their own (server GC)")}, {settings}, {redis.Name}, " +
    $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");

var seedWatch = Stopwatch.StartNew();
int[] due;
using (var seeding = SeedingHost(databaseHost))
{
    await seeding.StartAsync();
    due = await Seed.WriteAsync(seeding.Services.GetRequiredService<IFirebaseDatabase>(), users, perUser, burst);
    if (hostileMegabytes > 0)
    {
        await Seed.WriteHoarderAsync(seeding.Services.GetRequiredService<IFirebaseDatabase>(), hostileMegabytes, due);
        Console.WriteLine($"one tenant ({Seed.Hoarder}) also holds {hostileMegabytes:N0} MB of sensor readings and one schedule at 07:30");
    }
    await seeding.StopAsync();
}

Console.WriteLine($"seeded in {seedWatch.Elapsed.TotalSeconds:F1} s; emulator process working set {Environment.WorkingSet / 1048576.0:F0} MiB");

// The simulated day: a restart at 07:29:30 (rebuild), the regular minute 07:30, the bursts at 08:00 and 08:30.
var day = new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.Zero);
DateTimeOffset At(int minute, int second = 0) => day.AddMinutes(minute).AddSeconds(second);
int Due(int fromMinute, int toMinute) => due[fromMinute..(toMinute + 1)].Sum();

var rows = new List<string>();
(double Parent, double Redis) cpuOutside = default;
var first = await StartWorkerAsync();
var rebuild = await Measured(() => first.RebuildAsync(At(7 * 60 + 29, 30)));
Row("index rebuild (07:29:30)", $"{rebuild.Fired:N0} of {rebuild.Other:N0} users", rebuild, lateness: false);
Console.WriteLine($"redis after the rebuild: {await redis.MemoryAsync()}");

// Each phase starts on a minute's first second and has the rest of the minute to finish (the clocks run).
Expect("catch-up after restart (07:20-07:29, late)", Due(7 * 60 + 20, 7 * 60 + 29), await Measured(() => first.FireAsync(At(7 * 60 + 29))));
Expect("regular minute (07:30)", Due(7 * 60 + 30, 7 * 60 + 30), await Measured(() => first.FireAsync(At(7 * 60 + 30))));
Expect(null, Due(7 * 60 + 31, 7 * 60 + 59), await FireThroughAsync(7 * 60 + 31, 7 * 60 + 59, [first]));
Expect("burst minute (08:00), one worker", due[Seed.BurstMinute], await Measured(() => first.FireAsync(At(Seed.BurstMinute))));

// A second replica, warmed up on the minutes in between (connections, JIT), then both take the next burst.
var second = await StartWorkerAsync();
Expect(null, Due(8 * 60 + 1, 8 * 60 + 29), await FireThroughAsync(8 * 60 + 1, 8 * 60 + 29, [first, second]));
PhaseResult[] both = [];
Expect("burst minute (08:30), two workers", due[Seed.SecondBurstMinute], await Measured(async () =>
    PhaseResult.Combine(both = await Task.WhenAll(first.FireAsync(At(Seed.SecondBurstMinute)), second.FireAsync(At(Seed.SecondBurstMinute))))));
Console.WriteLine($"  of which the first worker fired {both[0].Fired:N0}, the second {both[1].Fired:N0}");
await second.DisposeAsync();

Expect("idle look at the index (08:30:06)", 0, await Measured(() => first.FireAsync(At(Seed.SecondBurstMinute, 6))));

// Fairness: the same burst with and without one tenant at its limit, all due at once and first in the index.
Expect(null, Due(8 * 60 + 31, Seed.FairnessMinute - 1), await FireThroughAsync(8 * 60 + 31, Seed.FairnessMinute - 1, [first]));
var heavy = await Measured(() => first.FireAsync(At(Seed.FairnessMinute)));
Expect($"burst minute (09:00) with a tenant of {AuthApp.Domain.Users.UserDataLimits.MaxSchedules} schedules first", due[Seed.FairnessMinute], heavy);
Expect(null, Due(Seed.FairnessMinute + 1, Seed.ControlMinute - 1), await FireThroughAsync(Seed.FairnessMinute + 1, Seed.ControlMinute - 1, [first]));
var control = await Measured(() => first.FireAsync(At(Seed.ControlMinute)));
Expect("burst minute (09:30), the same without it", due[Seed.ControlMinute], control);
var fairness = await FairnessAsync(heavy, control);

Console.WriteLine();
Console.WriteLine("| case | schedules | time | per schedule | lateness p50 / p99 / max | CPU: workers / emulator / redis | worker peak working set / GC heap | allocated |");
Console.WriteLine("|---|---|---|---|---|---|---|---|");
rows.ForEach(Console.WriteLine);
Console.WriteLine();
Console.WriteLine(fairness);

await first.DisposeAsync();
await emulator.DisposeAsync();

// The minutes between the measured ones, five at a time (within the catch-up window, so nothing is skipped).
async Task<PhaseResult> FireThroughAsync(int fromMinute, int toMinute, IBenchWorker[] workers)
{
    var results = new List<PhaseResult>();
    for (var minute = Math.Min(fromMinute + 4, toMinute); ; minute = Math.Min(minute + 5, toMinute))
    {
        results.AddRange(await Task.WhenAll(workers.Select(worker => worker.FireAsync(At(minute)))));
        if (minute == toMinute)
        {
            return PhaseResult.Combine(results);
        }
    }
}

// Lateness per occurrence from the audit stream (settled at, minus the occurrence): the heavy tenant's apart from the others'.
async Task<string> FairnessAsync(PhaseResult heavyPhase, PhaseResult controlPhase)
{
    await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
    var audit = (await Task.WhenAll(ScheduleIndexShard.All.Select(shard => connection.GetDatabase().StreamRangeAsync(shard.AuditStream))))
        .SelectMany(entries => entries).ToArray();
    double[] Lateness(int minute, Func<string, bool> whose) => [.. audit
        .Where(entry => (long)entry["occurrence"] == At(minute).ToUnixTimeSeconds() && whose((string)entry["id"]!))
        .Select(entry => ((long)entry["firedAt"] - At(minute).ToUnixTimeMilliseconds()) / 1000.0)
        .Order()];
    static string Spread(double[] seconds) => seconds.Length == 0 ? "-"
        : $"p50 {FormatTime(seconds[seconds.Length / 2] * 1000)}, p99 {FormatTime(seconds[(int)Math.Ceiling(0.99 * seconds.Length) - 1] * 1000)}, max {FormatTime(seconds[^1] * 1000)}";
    var isHeavy = (string id) => id.StartsWith(Seed.HeavyTenant + "/", StringComparison.Ordinal);
    var othersWith = Lateness(Seed.FairnessMinute, id => !isHeavy(id));
    var othersWithout = Lateness(Seed.ControlMinute, _ => true);
    var batches = Math.Ceiling(controlPhase.Fired / (double)settings.BatchSize);
    var batchTime = controlPhase.Milliseconds / batches * settings.BatchesInFlight;
    return $"""
        Fairness ({settings.BatchSize} a batch, {settings.BatchesInFlight} in flight): the other tenants' lateness (settled at, from the audit stream)
        | minute | the heavy tenant's {Lateness(Seed.FairnessMinute, isHeavy).Length} | the other {othersWith.Length:N0} tenants' schedules |
        |---|---|---|
        | 09:00, with the heavy tenant first | {Spread(Lateness(Seed.FairnessMinute, isHeavy))} | {Spread(othersWith)} |
        | 09:30, without it | - | {Spread(othersWithout)} |
        the others' max lateness moved by {FormatTime((othersWith[^1] - othersWithout[^1]) * 1000)}; one batch takes {FormatTime(batchTime)} ({controlPhase.Milliseconds:F0} ms for {batches} batches at 09:30, {settings.BatchesInFlight} at a time)
        """;
}

async Task<IBenchWorker> StartWorkerAsync() => inProcess
    ? await BenchWorker.StartAsync(databaseHost, redis.ConnectionString, settings)
    : await WorkerProcess.StartAsync(databaseHost, redis.ConnectionString, settings);

void Expect(string? name, int expected, PhaseResult result)
{
    if (result.Fired != expected)
    {
        throw new InvalidOperationException($"{name ?? "unmeasured minutes"}: expected {expected} fired, got {result.Fired}.");
    }

    if (name is not null)
    {
        Row(name, $"{result.Fired:N0}", result, lateness: true);
    }
}

// The CPU time this process (the emulator, and the workers with --in-process) and redis-server used meanwhile.
async Task<PhaseResult> Measured(Func<Task<PhaseResult>> phase)
{
    // The emulator keeps the whole database as objects (GBs at a million schedules): collect before each phase, as the
    // workers do, so that a full collection of earlier garbage does not land in the middle of the one measured.
    GC.Collect();
    GC.WaitForPendingFinalizers();
    var (parent, redisCpu) = (Process.GetCurrentProcess().TotalProcessorTime, redis.CpuMilliseconds());
    var result = await phase();
    cpuOutside = ((Process.GetCurrentProcess().TotalProcessorTime - parent).TotalMilliseconds, redis.CpuMilliseconds() - redisCpu);
    return result;
}

void Row(string name, string count, PhaseResult result, bool lateness)
{
    var perSchedule = result.Fired == 0 ? "-" : $"{result.Milliseconds / result.Fired:F3} ms";
    var late = lateness && result.Lateness.Length > 0
        ? $"{FormatTime(result.Percentile(0.5) * 1000)} / {FormatTime(result.Percentile(0.99) * 1000)} / {FormatTime(result.Lateness[^1] * 1000)}"
        : "-";
    var memory = inProcess ? "(shares the emulator's process)" : $"{result.PeakWorkingSetMb:F0} / {result.PeakHeapMb:F0} MiB";
    var cpu = inProcess
        ? $"{cpuOutside.Parent / 1000:F2} s (one process) / {cpuOutside.Redis / 1000:F2} s"
        : $"{result.CpuMilliseconds / 1000:F2} / {cpuOutside.Parent / 1000:F2} / {cpuOutside.Redis / 1000:F2} s";
    rows.Add($"| {name} | {count} | {FormatTime(result.Milliseconds)} | {perSchedule} | {late} | {cpu} | {memory} | {result.AllocatedMb:F0} MiB |");
    Console.WriteLine($"{name}: {count} in {FormatTime(result.Milliseconds)}, lateness {late}, CPU {cpu}, memory {memory}");
}

static string FormatTime(double milliseconds) => milliseconds >= 10_000 ? $"{milliseconds / 1000:F1} s" : $"{milliseconds:F0} ms";

IHost SeedingHost(string host)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, Args = ["--Logging:LogLevel:Default=Warning"] });
    builder.Configuration["Firebase:ProjectId"] = "demo-authapp";
    builder.Configuration["Firebase:ApiKey"] = "bench";
    builder.Configuration["Firebase:DatabaseEmulatorHost"] = host;
    builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
    builder.AddFirebase();
    return builder.Build();
}

string StringArg(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}

internal sealed class OwnerToken : IFirebaseAccessTokenProvider
{
    public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult("owner");
}
