// Measures the Realtime Database client (AuthApp.Firebase) against the local emulator on 127.0.0.1.
// Usage: dotnet run -c Release --project bench/Database -- [--ops 5000] [--warmup 500] [--concurrency 8]
// With FIREBASE_DATABASE_EMULATOR_HOST set it targets that emulator instead of starting one in-process.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using AuthApp.Firebase;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var ops = Arg("--ops", 5000);
var warmup = Arg("--warmup", 500);
var concurrency = Arg("--concurrency", 8);

WebApplication? emulator = null;
var host = Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST");
if (string.IsNullOrWhiteSpace(host))
{
    emulator = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    await emulator.StartAsync();
    host = new Uri(emulator.Urls.First()).Authority;
}

var builder = Host.CreateApplicationBuilder(["--Logging:LogLevel:Default=Warning"]);
builder.Configuration["Firebase:ProjectId"] = "demo-authapp";
builder.Configuration["Firebase:DatabaseEmulatorHost"] = host;
builder.Services.AddSingleton<IFirebaseAccessTokenProvider, OwnerToken>();
builder.AddFirebase();
using var app = builder.Build();
var db = app.Services.GetRequiredService<IFirebaseDatabase>();

var record = JsonNode.Parse("""{"time":"07:30 AM","action":"on","status":"enable","lastNotified":0}""")!;
await db.SetAsync("bench", null);

Console.WriteLine($"RTDB client benchmark: {ops} ops per case after {warmup} warm-up, target {host} ({(emulator is null ? "external" : "in-process emulator")}), {Environment.ProcessorCount} cores, .NET {Environment.Version}");
await Sequential("set (PUT print=silent)", i => db.SetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp", record));
await Sequential("get (GET)", i => db.GetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp"));
await Sequential("update (PATCH multi-path)", i => db.UpdateAsync($"bench/users/u{i % 100}", new Dictionary<string, JsonNode?> { ["venues/kitchen/lamp"] = i % 2 == 0 ? "on" : "off", ["lastSeen"] = i }));
await Concurrent("get x" + concurrency.ToString(CultureInfo.InvariantCulture) + " concurrent", i => db.GetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp"));
await Concurrent("set x" + concurrency.ToString(CultureInfo.InvariantCulture) + " concurrent", i => db.SetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp", record));

await db.SetAsync("bench", null);
if (emulator is not null)
{
    await emulator.StopAsync();
    await emulator.DisposeAsync();
}

async Task Sequential(string name, Func<int, Task> op)
{
    for (var i = 0; i < warmup; i++)
    {
        await op(i);
    }

    var latencies = new double[ops];
    var total = Stopwatch.StartNew();
    for (var i = 0; i < ops; i++)
    {
        var start = Stopwatch.GetTimestamp();
        await op(i);
        latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    Report(name, latencies, total.Elapsed);
}

async Task Concurrent(string name, Func<int, Task> op)
{
    for (var i = 0; i < warmup; i++)
    {
        await op(i);
    }

    var latencies = new double[ops];
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < ops)
        {
            var start = Stopwatch.GetTimestamp();
            await op(i);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    })));
    Report(name, latencies, total.Elapsed);
}

static void Report(string name, double[] latencies, TimeSpan elapsed)
{
    Array.Sort(latencies);
    double P(double q) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(q * latencies.Length) - 1)];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-28} p50 {P(0.50),7:0.000} ms   p99 {P(0.99),7:0.000} ms   max {latencies[^1],7:0.000} ms   {latencies.Length / elapsed.TotalSeconds,8:0} ops/s"));
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
