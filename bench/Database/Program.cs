// Measures the Realtime Database client (AuthApp.Firebase) against the local emulator on 127.0.0.1.
// Usage: dotnet run -c Release --project bench/Database -- [--ops 5000] [--warmup 500] [--concurrency 8] [--rounds 3] [--rules <database.rules.json>]
// With FIREBASE_DATABASE_EMULATOR_HOST set it targets that emulator instead of starting one in-process
// (and skips the rules comparison, which needs an emulator of this project with a namespace left unjudged).
using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

var ops = Arg("--ops", 5000);
var warmup = Arg("--warmup", 500);
var concurrency = Arg("--concurrency", 8);
var rounds = Arg("--rounds", 3);
var rulesPath = ArgText("--rules") ?? BenchClients.ProductRules();
var measure = new Measure(ops, warmup, concurrency);
var concurrent = "x" + concurrency.ToString(CultureInfo.InvariantCulture) + " concurrent";

WebApplication? emulator = null;
var host = Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST");
if (string.IsNullOrWhiteSpace(host))
{
    emulator = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    await emulator.StartAsync();
    host = new Uri(emulator.Urls.First()).Authority;
}

using (var owner = BenchClients.Create(host, ns: null, BenchClients.OwnerToken))
{
    var db = owner.Services.GetRequiredService<IFirebaseDatabase>();
    var record = JsonNode.Parse("""{"time":"07:30 AM","action":"on","status":"enable","lastNotified":0}""")!;
    await db.SetAsync("bench", null);

    Console.WriteLine($"RTDB client benchmark: {ops} ops per case after {warmup} warm-up, target {host} ({(emulator is null ? "external" : "in-process emulator")}), {Environment.ProcessorCount} cores, .NET {Environment.Version}");
    Console.WriteLine(await measure.SequentialAsync("set (PUT print=silent)", i => db.SetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp", record)));
    Console.WriteLine(await measure.SequentialAsync("get (GET)", i => db.GetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp")));
    Console.WriteLine(await measure.SequentialAsync("update (PATCH multi-path)", i => db.UpdateAsync($"bench/users/u{i % 100}", new Dictionary<string, JsonNode?> { ["venues/kitchen/lamp"] = i % 2 == 0 ? "on" : "off", ["lastSeen"] = i })));
    Console.WriteLine(await measure.ConcurrentAsync("get " + concurrent, i => db.GetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp")));
    Console.WriteLine(await measure.ConcurrentAsync("set " + concurrent, i => db.SetAsync($"bench/users/u{i % 100}/schedules/kitchen/lamp", record)));
    await db.SetAsync("bench", null);
}

if (emulator is not null)
{
    await CompareRulesAsync(host);
    await emulator.StopAsync();
    await emulator.DisposeAsync();
}

// The same operations on the same data, with rules off (a namespace with no rules: not judged, like an emulator
// started without a rules file; the owner credential) and on (the product rules loaded into another namespace; a
// signed-in user writing and reading their own schedules, so every request decodes the ID token and runs the rules).
// Each case runs off then on, back to back, `--rounds` times (default 3), and the table shows the median of each
// figure: on a shared machine one round alone says little.
async Task CompareRulesAsync(string emulatorHost)
{
    const string uid = "bench-user";
    await BenchClients.LoadRulesAsync(emulatorHost, "bench-rules-on", rulesPath);
    using (var admin = BenchClients.Create(emulatorHost, "bench-rules-on", BenchClients.OwnerToken))
    {
        // The rules admit a licensed owner only; the API writes this flag at signup.
        await admin.Services.GetRequiredService<IFirebaseDatabase>().SetAsync($"users/{uid}/verifiedAccess", JsonValue.Create(true));
    }

    using var offHost = BenchClients.Create(emulatorHost, "bench-rules-off", BenchClients.OwnerToken);
    using var onHost = BenchClients.Create(emulatorHost, "bench-rules-on", BenchClients.UserToken(uid));
    var off = offHost.Services.GetRequiredService<IFirebaseDatabase>();
    var on = onHost.Services.GetRequiredService<IFirebaseDatabase>();
    var schedule = JsonNode.Parse("""{"time":"07:30 AM","action":"on","status":"enable","lastNotified":0}""")!;
    string Path(int i) => $"users/{uid}/schedules/kitchen/lamp{i % 100}";

    (string Name, Func<IFirebaseDatabase, Task<Result>> Run)[] cases =
    [
        ("set (PUT), sequential", database => measure.SequentialAsync("set", i => database.SetAsync(Path(i), schedule))),
        ("get (GET), sequential", database => measure.SequentialAsync("get", i => database.GetAsync(Path(i)))),
        ("set " + concurrent, database => measure.ConcurrentAsync("set", i => database.SetAsync(Path(i), schedule))),
        ("get " + concurrent, database => measure.ConcurrentAsync("get", i => database.GetAsync(Path(i)))),
    ];

    Console.WriteLine();
    Console.WriteLine($"Rules off vs on ({rulesPath}; user {uid} on their own schedules; median of {rounds} rounds, ms):");
    Console.WriteLine($"{"case",-24} | {"off p50",8} {"off p99",8} {"off ops/s",9} | {"on p50",8} {"on p99",8} {"on ops/s",9}");
    foreach (var (name, run) in cases)
    {
        var offResults = new List<Result>();
        var onResults = new List<Result>();
        for (var round = 0; round < rounds; round++)
        {
            offResults.Add(await run(off));
            onResults.Add(await run(on));
        }

        var (a, b) = (Result.Median(offResults), Result.Median(onResults));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-24} | {a.P50,8:0.000} {a.P99,8:0.000} {a.OpsPerSecond,9:0} | {b.P50,8:0.000} {b.P99,8:0.000} {b.OpsPerSecond,9:0}"));
    }
}

int Arg(string name, int fallback) =>
    ArgText(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? ArgText(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
