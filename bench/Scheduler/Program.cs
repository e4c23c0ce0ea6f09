// Finds and fires one minute's due schedules among N schedules (default 100,000 across 10,000 users).
// Usage: dotnet run -c Release --project bench/Scheduler -- [--users 10000] [--per-user 10] [--burst 1000]
// The Realtime Database emulator runs in-process on 127.0.0.1; the index, claims and queue use a real
// redis-server on a free port. The clock is fake: the bench jumps to one second after each target minute.
using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using AuthApp.Scheduler;
using AuthApp.Scheduler.Schedules;
using AuthApp.Domain.Schedules;
using AuthApp.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

var users = Arg("--users", 10_000);
var perUser = Arg("--per-user", 10);
var burst = Arg("--burst", 1_000);
var total = users * perUser;

var emulator = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
await emulator.StartAsync();
var redisServer = new RedisServerFixture();
await redisServer.InitializeAsync();

// The simulated day: the regular minute is 07:30 UTC, the burst minute 08:00 UTC.
var day = new DateTimeOffset(2026, 6, 15, 0, 0, 0, TimeSpan.Zero);
var regularMinute = day.AddHours(7).AddMinutes(30);
var burstMinute = day.AddHours(8);
var clock = new FakeTimeProvider(regularMinute.AddSeconds(-30));

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development, Args = ["--Logging:LogLevel:Default=Error"] });
builder.Configuration["Firebase:ProjectId"] = "demo-authapp";
builder.Configuration["Firebase:ApiKey"] = "bench";
builder.Configuration["Firebase:DatabaseEmulatorHost"] = new Uri(emulator.Urls.First()).Authority;
builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
builder.AddFirebase();
builder.AddWorkQueue();
builder.Services.AddSingleton<IConnectionMultiplexer>(redisServer.Connection);
builder.Services.AddSingleton(Options.Create(new SchedulerOptions()));
builder.Services.AddSingleton<SchedulerTelemetry>();
builder.Services.AddSingleton<DueScheduleIndex>();
builder.Services.AddSingleton<OccurrenceClaims>();
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleRunner>(services, (TimeProvider)clock));
builder.Services.AddSingleton(services => ActivatorUtilities.CreateInstance<ScheduleIndexRebuilder>(services, (TimeProvider)clock));
using var app = builder.Build();
await app.StartAsync();
var database = app.Services.GetRequiredService<IFirebaseDatabase>();
var runner = app.Services.GetRequiredService<ScheduleRunner>();

Console.WriteLine($"Scheduler benchmark: {total:N0} schedules across {users:N0} users, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
Console.WriteLine($"memory at start (empty emulator + worker services): {Memory()}");

// Seed: schedule k of the whole set gets minute-of-day (k * 7919) % 1440, so ~total/1440 share each minute;
// the burst minute additionally holds the first `burst` schedules.
var seed = Stopwatch.StartNew();
var regularDue = 0;
var burstDue = 0;
const int usersPerWrite = 500;
for (var first = 0; first < users; first += usersPerWrite)
{
    var page = new Dictionary<string, JsonNode?>();
    for (var u = first; u < Math.Min(users, first + usersPerWrite); u++)
    {
        var devices = new JsonObject { ["__created"] = true };
        var schedules = new JsonObject();
        for (var d = 0; d < perUser; d++)
        {
            var k = u * perUser + d;
            var minute = k < burst ? 8 * 60 : (int)((long)k * 7919 % 1440);
            regularDue += minute == 7 * 60 + 30 ? 1 : 0;
            burstDue += minute == 8 * 60 ? 1 : 0;
            devices[$"device{d}"] = "off";
            schedules[$"device{d}"] = new JsonObject { ["time"] = $"{minute / 60:D2}:{minute % 60:D2}", ["action"] = "on", ["status"] = "enable" };
        }

        page[$"user{u:D6}"] = new JsonObject
        {
            ["email"] = $"user{u}@example.com",
            ["fcmToken"] = $"token-{u}",
            ["venues"] = new JsonObject { ["home"] = devices },
            ["schedules"] = new JsonObject { ["home"] = schedules },
        };
    }

    await database.UpdateAsync("users", page);
}

Console.WriteLine($"seeded in {seed.Elapsed.TotalSeconds:F1} s; due at 07:30: {regularDue}, due at 08:00 (burst): {burstDue}");

var rebuild = Stopwatch.StartNew();
var summary = await app.Services.GetRequiredService<ScheduleIndexRebuilder>().RebuildAsync(CancellationToken.None);
Console.WriteLine($"index rebuild: {summary!.Schedules:N0} schedules of {summary.Users:N0} users in {rebuild.Elapsed.TotalSeconds:F2} s");

var baseline = Memory();
Console.WriteLine($"memory before firing (emulator with {total:N0} schedules + worker, one process): {baseline}");

// After the rebuild (a restart at 07:29:30), the last 10 minutes' occurrences are due late: the catch-up.
await FireAsync("catch-up after restart (07:20-07:29, late)", regularMinute.AddSeconds(-1), null);
await FireAsync("regular minute (07:30)", regularMinute.AddSeconds(1), regularDue);
await FireAsync("(unmeasured) 07:31-07:59", burstMinute.AddSeconds(-1), null);
await FireAsync("burst minute (08:00)", burstMinute.AddSeconds(1), burstDue);
// An idle cycle: nothing due, the cost of one index query.
await FireAsync("idle cycle (08:00:06)", burstMinute.AddSeconds(6), 0);

var after = Memory();
Console.WriteLine($"memory after firing: {after}");

await app.StopAsync();
await emulator.DisposeAsync();
await redisServer.DisposeAsync();

async Task FireAsync(string name, DateTimeOffset now, int? expected)
{
    clock.SetUtcNow(now);
    var allocatedBefore = GC.GetTotalAllocatedBytes();
    var watch = Stopwatch.StartNew();
    var cycle = await runner.RunDueAsync(CancellationToken.None);
    var elapsed = watch.Elapsed;
    var fired = cycle[FireOutcome.Fired];
    Console.WriteLine($"{name}: fired {fired}{(expected is null ? "" : $" of {expected} expected")} in {elapsed.TotalMilliseconds:F0} ms " +
        $"({(fired == 0 ? 0 : elapsed.TotalMilliseconds / fired):F2} ms/schedule), allocated {(GC.GetTotalAllocatedBytes() - allocatedBefore) / 1024.0 / 1024.0:F1} MiB");
    if (expected is not null && fired != expected)
    {
        throw new InvalidOperationException($"{name}: expected {expected} fired, got {fired}.");
    }
}

static string Memory()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    return $"GC heap {GC.GetTotalMemory(false) / 1024.0 / 1024.0:F1} MiB, working set {process.WorkingSet64 / 1024.0 / 1024.0:F1} MiB";
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

internal sealed class OwnerToken : IFirebaseAccessTokenProvider
{
    public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult("owner");
}
