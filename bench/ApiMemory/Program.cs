// The memory case of bench/Api/run.sh: what an API replica holds after N distinct users' tokens have each made one
// authenticated request, side by side with the same process before (baseline) and after N requests to a trivial
// endpoint (/alive). run.sh starts the API and its dependencies; this program
//   1. writes N users straight into the Auth emulator (accounts:batchCreate) and the database emulator (one multi-path
//      update per 1,000 users: verifiedAccess, a venue with a device), as accounts that signed up long ago;
//   2. signs an RS256 ID token per user with the run's key, as Google would issue it (1 hour);
//   3. reads the API process's memory (VmRSS and VmHWM from /proc, the runtime's GC counters with dotnet-counters, the
//      live heap after a full collection with dotnet-gcdump) at the baseline, after N × GET /alive and after
//      N × GET /auth/profile, each with another user's token, at a fixed concurrency.
// Every request must answer 200; the run fails otherwise.
// With --hostile-megabytes M (run.sh: HOSTILE_MB), one more phase: one of the users writes M MB of sensor readings
// straight into the database (as the rules cannot stop: they cannot count), then reads them through the API over and
// over (422 data_too_large: the client stops at 512 KiB) while the others keep reading their profiles; the replica's
// memory before and after is what that tenant costs everyone else.
// With --mode streams, the same users and tokens serve the streams case instead (Streams.cs): what open
// GET /auth/events streams cost the replica, and how fast a write reaches them.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

var options = Arguments.Parse(args);
var users = options.Int("users", 100_000);
var concurrency = options.Int("concurrency", 64);
var api = new Uri(options.Text("api"));
var apiPid = options.Int("api-pid", 0);
var authHost = options.Text("auth");
var database = new Uri(options.Text("database"));
var databaseNamespace = options.Text("namespace");
var project = options.Text("project");
var keyPem = File.ReadAllText(options.Text("key"));
var keyId = options.Text("kid");
var tools = options.Text("tools");
var work = options.Text("work");
var run = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString("x", CultureInfo.InvariantCulture);
var hostileMegabytes = options.Int("hostile-megabytes", 0);
var mode = options.Text("mode", "memory"); // or "streams"

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    Timeout = TimeSpan.FromSeconds(100),
};
string Uid(int i) => $"mem{run}u{i:D7}";

var clock = Stopwatch.StartNew();
Console.WriteLine($"==> Writing {users:N0} users into the Auth emulator and the database (1,000 per request)");
for (var first = 0; first < users; first += 1_000)
{
    var batch = Enumerable.Range(first, Math.Min(1_000, users - first)).ToList();
    using var accounts = new HttpRequestMessage(HttpMethod.Post,
        $"http://{authHost}/identitytoolkit.googleapis.com/v1/projects/{project}/accounts:batchCreate")
    {
        Content = JsonContent.Create(new JsonObject
        {
            ["users"] = new JsonArray(batch.Select(i => (JsonNode)new JsonObject
            {
                ["localId"] = Uid(i),
                ["email"] = $"{Uid(i)}@example.com",
                ["emailVerified"] = true,
            }).ToArray()),
        }),
    };
    accounts.Headers.Authorization = new("Bearer", "owner");
    using (var created = await http.SendAsync(accounts))
    {
        var body = await created.Content.ReadAsStringAsync();
        // Success is 200 with an empty "error" list; each refused user is an entry in it.
        if (!created.IsSuccessStatusCode || JsonNode.Parse(body)?["error"] is JsonArray { Count: > 0 })
        {
            throw new InvalidOperationException($"accounts:batchCreate answered {(int)created.StatusCode}: {body[..Math.Min(body.Length, 400)]}");
        }
    }

    var records = new JsonObject();
    foreach (var i in batch)
    {
        records[Uid(i)] = new JsonObject
        {
            ["email"] = $"{Uid(i)}@example.com",
            ["name"] = $"Bench user {i}",
            ["verifiedAccess"] = true,
            ["venues"] = new JsonObject { ["Living"] = new JsonObject { ["__created"] = true, ["Lamp"] = "off" } },
        };
    }

    using var write = new HttpRequestMessage(HttpMethod.Patch, new Uri(database, $"users.json?ns={databaseNamespace}&print=silent"))
    {
        Content = new StringContent(records.ToJsonString(), Encoding.UTF8, "application/json"),
    };
    write.Headers.Authorization = new("Bearer", "owner");
    using (var written = await http.SendAsync(write))
    {
        written.EnsureSuccessStatusCode();
    }
}

Console.WriteLine($"    {clock.Elapsed.TotalSeconds:F1} s");
// Signed in a second after the accounts were made: Firebase's validSince has one-second resolution.
await Task.Delay(TimeSpan.FromSeconds(1.1));
clock.Restart();
Console.WriteLine($"==> Signing {users:N0} RS256 ID tokens");
var tokens = new string[users];
var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
Parallel.For(0, users, () => { var rsa = RSA.Create(); rsa.ImportFromPem(keyPem); return rsa; }, (i, _, rsa) =>
{
    tokens[i] = Tokens.Sign(rsa, keyId, project, Uid(i), now);
    return rsa;
}, rsa => rsa.Dispose());
Console.WriteLine($"    {clock.Elapsed.TotalSeconds:F1} s");

var table = new List<string>
{
    "| checkpoint | requests | wall time | requests/s | API CPU / request | VmRSS | VmHWM | GC heap (last GC) | GC committed | live heap (full GC) |",
    "|---|---|---|---|---|---|---|---|---|---|",
};
async Task CheckpointAsync(string label, int requests, TimeSpan elapsed, TimeSpan cpu)
{
    var (rss, hwm) = Memory.Resident(apiPid);
    var counters = await Memory.CountersAsync(tools, apiPid, work);
    var live = await Memory.LiveHeapAsync(tools, apiPid, work);
    table.Add($"| {label} | {(requests == 0 ? "-" : requests.ToString("N0", CultureInfo.InvariantCulture))} | " +
              $"{(requests == 0 ? "-" : $"{elapsed.TotalSeconds:F1} s")} | {(requests == 0 ? "-" : $"{requests / elapsed.TotalSeconds:N0}")} | " +
              $"{(requests == 0 ? "-" : $"{cpu.TotalMicroseconds / requests:N0} µs")} | " +
              $"{Memory.Mb(rss)} | {Memory.Mb(hwm)} | {Memory.Mb(counters.HeapSize)} | {Memory.Mb(counters.Committed)} | {Memory.Mb(live)} |");
    Console.WriteLine(table[^1]);
}

async Task<TimeSpan> LoadAsync(string what, Func<int, HttpRequestMessage> request, int from, int to, params HttpStatusCode[] expected)
{
    expected = expected.Length == 0 ? [HttpStatusCode.OK] : expected;
    Console.WriteLine($"==> {to - from:N0} x {what}, {concurrency} at a time");
    var failures = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
    var next = from - 1;
    var retries = 0;
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < to)
        {
            // A 503 (a cold user's first read waits at most Caching:UpstreamTimeout for the Auth emulator) is retried
            // after its Retry-After, as a client does, up to 5 times; each retry is counted and reported.
            for (var attempt = 1; ; attempt++)
            {
                using var message = request(i);
                using var response = await http.SendAsync(message);
                if (expected.Contains(response.StatusCode))
                {
                    break;
                }

                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                    continue;
                }

                var body = await response.Content.ReadAsStringAsync();
                failures.AddOrUpdate($"{(int)response.StatusCode} {body[..Math.Min(body.Length, 160)]}", 1, (_, n) => n + 1);
                break;
            }
        }
    }));
    watch.Stop();
    Console.WriteLine($"    {watch.Elapsed.TotalSeconds:F1} s, {retries:N0} requests retried after a 503");
    if (!failures.IsEmpty)
    {
        throw new InvalidOperationException($"{failures.Values.Sum():N0} requests did not answer {string.Join(" or ", expected.Select(status => (int)status))}: " +
            string.Join("; ", failures.OrderByDescending(f => f.Value).Take(3).Select(f => $"{f.Value} x {f.Key}")));
    }

    return watch.Elapsed;
}

if (mode == "streams")
{
    // The same users and tokens, another question: what open GET /auth/events streams cost (Streams.cs).
    await new StreamsCase(
        new StreamsSettings(api, apiPid, options.Int("database-pid", 0), database, databaseNamespace, tools, work,
            OpenConcurrency: concurrency, IdleSeconds: options.Int("idle-seconds", 60), FanOutUsers: options.Int("fanout-users", 1_000),
            Rate: options.Int("rate", 50), FanOutSeconds: options.Int("fanout-seconds", 60), DirectWrites: options.Int("direct-writes", 100),
            DirectRate: options.Int("direct-rate", 10)),
        Enumerable.Range(0, users).Select(Uid).ToArray(), tokens, (what, request, from, to) => LoadAsync(what, request, from, to)).RunAsync();
    return;
}

await CheckpointAsync("baseline (after start-up and the run's set-up)", 0, TimeSpan.Zero, TimeSpan.Zero);
var cpuBefore = Memory.Cpu(apiPid);
var alive = await LoadAsync("GET /alive", _ => new HttpRequestMessage(HttpMethod.Get, new Uri(api, "alive")), 0, users);
await CheckpointAsync($"after {users:N0} x GET /alive (trivial endpoint)", users, alive, Memory.Cpu(apiPid) - cpuBefore);

// The users in two halves, with a reading between: a bounded replica holds about as much after the second as after the first.
HttpRequestMessage Profile(int i)
{
    var message = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "auth/profile"));
    message.Headers.Authorization = new("Bearer", tokens[i]);
    return message;
}

var half = users / 2;
cpuBefore = Memory.Cpu(apiPid);
var firstHalf = await LoadAsync("GET /auth/profile, each with another user's token", Profile, 0, half);
await CheckpointAsync($"after the first {half:N0} distinct users' GET /auth/profile", half, firstHalf, Memory.Cpu(apiPid) - cpuBefore);
cpuBefore = Memory.Cpu(apiPid);
var secondHalf = await LoadAsync("GET /auth/profile, each with another user's token", Profile, half, users);
await CheckpointAsync($"after all {users:N0} distinct users' GET /auth/profile", users - half, secondHalf, Memory.Cpu(apiPid) - cpuBefore);

if (hostileMegabytes > 0)
{
    await HostileTenantAsync(Uid(0), tokens[0]);
}

Console.WriteLine();
foreach (var line in table)
{
    Console.WriteLine(line);
}

// One tenant's megabytes of sensors, written past the API (8 MB a request: the database takes at most 16 MB at once).
async Task HostileTenantAsync(string uid, string token)
{
    clock.Restart();
    Console.WriteLine($"==> Writing {hostileMegabytes:N0} MB of sensor readings for one tenant straight into the database");
    var reading = new string('7', 4_000);
    for (var written = 0; written < hostileMegabytes; written += 8)
    {
        var sensors = new JsonObject();
        for (var k = 0; k < 2_000; k++)
        {
            sensors[$"s{k:D4}"] = reading;
        }

        using var write = new HttpRequestMessage(HttpMethod.Put,
            new Uri(database, $"users/{uid}/monitoring_venues/room{written / 8:D4}.json?ns={databaseNamespace}&print=silent"))
        {
            Content = new StringContent(sensors.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        write.Headers.Authorization = new("Bearer", "owner");
        using var answer = await http.SendAsync(write);
        answer.EnsureSuccessStatusCode();
    }

    Console.WriteLine($"    {clock.Elapsed.TotalSeconds:F1} s");
    await CheckpointAsync($"before the tenant with {hostileMegabytes:N0} MB reads it", 0, TimeSpan.Zero, TimeSpan.Zero);
    // Each read costs the emulator a serialization of the whole subtree (the API stops reading at 512 KiB), one request
    // of the namespace at a time: past Firebase:AttemptTimeout in a queue the API answers 503, which is as right as 422.
    const int reads = 100;
    HttpRequestMessage Monitoring(int _)
    {
        var message = new HttpRequestMessage(HttpMethod.Get, new Uri(api, "auth/get_monitoring_data"));
        message.Headers.Authorization = new("Bearer", token);
        return message;
    }

    var cpu = Memory.Cpu(apiPid);
    var hostileLoad = LoadAsync($"GET /auth/get_monitoring_data by the tenant with {hostileMegabytes:N0} MB (422, or 503 when the emulator is too slow)",
        Monitoring, 0, reads, HttpStatusCode.UnprocessableEntity, HttpStatusCode.ServiceUnavailable);
    var othersLoad = LoadAsync("GET /auth/profile by the other users meanwhile", Profile, 1, Math.Min(users, 1 + reads));
    var elapsed = await hostileLoad;
    await othersLoad;
    await CheckpointAsync($"after {reads:N0} reads of them through the API, beside {Math.Min(users - 1, reads):N0} other users' reads", reads, elapsed, Memory.Cpu(apiPid) - cpu);
}

internal static class Tokens
{
    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>An ID token for <paramref name="uid"/> as Google issues it, signed with the run's key.</summary>
    public static string Sign(RSA key, string keyId, string project, string uid, long now)
    {
        var header = B64(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["alg"] = "RS256", ["kid"] = keyId, ["typ"] = "JWT" }));
        var claims = B64(JsonSerializer.SerializeToUtf8Bytes(new JsonObject
        {
            ["iss"] = $"https://securetoken.google.com/{project}",
            ["aud"] = project,
            ["auth_time"] = now,
            ["user_id"] = uid,
            ["sub"] = uid,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["email"] = $"{uid}@example.com",
            ["email_verified"] = true,
            ["firebase"] = new JsonObject { ["identities"] = new JsonObject(), ["sign_in_provider"] = "password" },
        }));
        var signed = $"{header}.{claims}";
        return signed + "." + B64(key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }
}

internal static class Memory
{
    public static string Mb(long? bytes) => bytes is { } value ? $"{value / (1024.0 * 1024):N0} MB" : "n/a";

    /// <summary>The CPU time (user and system) the process has used so far, from /proc/PID/stat.</summary>
    public static TimeSpan Cpu(int pid)
    {
        var fields = File.ReadAllText($"/proc/{pid}/stat").Split(") ", 2)[1].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>VmRSS and VmHWM (the peak resident set) from /proc.</summary>
    public static (long Rss, long Peak) Resident(int pid)
    {
        long Read(string field) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(line => line.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        return (Read("VmRSS"), Read("VmHWM"));
    }

    /// <summary>
    /// The runtime's own counters (System.Runtime meter, read for 3 s with dotnet-counters): the GC heap's size at the
    /// end of the last collection (all generations) and the memory the GC has committed.
    /// </summary>
    public static async Task<(long? HeapSize, long? Committed)> CountersAsync(string tools, int pid, string work)
    {
        var output = Path.Combine(work, $"counters-{Guid.NewGuid():N}.json");
        await RunAsync(Path.Combine(tools, "dotnet-counters"), "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "--format", "json",
            "-o", output, "--duration", "00:00:00:03",
            "--counters", "System.Runtime[dotnet.gc.last_collection.heap.size,dotnet.gc.last_collection.memory.committed_size]");
        long? heap = null, committed = null;
        if (File.Exists(output))
        {
            var events = JsonNode.Parse(File.ReadAllText(output))?["Events"]?.AsArray() ?? [];
            // The last reading of each: one value per generation for the heap size.
            var lastHeap = new Dictionary<string, long>();
            foreach (var reading in events)
            {
                // One series per generation for the heap size: the name with its tags.
                var name = $"{(string?)reading?["name"]} {(string?)reading?["tags"]}";
                var value = (long)(double)reading!["value"]!;
                if (name.StartsWith("dotnet.gc.last_collection.heap.size", StringComparison.Ordinal))
                {
                    lastHeap[name] = value;
                }
                else if (name.StartsWith("dotnet.gc.last_collection.memory.committed_size", StringComparison.Ordinal))
                {
                    committed = value;
                }
            }

            heap = lastHeap.Count > 0 ? lastHeap.Values.Sum() : null;
        }

        return (heap, committed);
    }

    /// <summary>The live managed heap: dotnet-gcdump forces a full, blocking collection and reports what survives.</summary>
    public static async Task<long?> LiveHeapAsync(string tools, int pid, string work) => (await LiveHeapByTypeAsync(tools, pid, work)).Total;

    /// <summary>
    /// The live managed heap after a full collection, and by type an object's size (the report's "Object Bytes": one
    /// object's, the largest of a size bucket's) and the objects' count (dotnet-gcdump's report).
    /// </summary>
    public static async Task<(long? Total, Dictionary<string, (long Bytes, long Count)> ByType)> LiveHeapByTypeAsync(string tools, int pid, string work)
    {
        var dump = Path.Combine(work, $"heap-{Guid.NewGuid():N}.gcdump");
        await RunAsync(Path.Combine(tools, "dotnet-gcdump"), "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", dump);
        var report = await RunAsync(Path.Combine(tools, "dotnet-gcdump"), "report", dump);
        File.Delete(dump);
        await File.WriteAllTextAsync(Path.ChangeExtension(dump, ".txt"), report); // kept with BENCH_KEEP_WORK
        static long Number(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        long? total = null;
        var byType = new Dictionary<string, (long Bytes, long Count)>(StringComparer.Ordinal);
        foreach (var line in report.Split('\n').Select(line => line.Trim()))
        {
            // The header's "<total bytes>  GC Heap bytes", then one "<bytes>  <count>  <type>" a type.
            var fields = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            if (line.EndsWith("GC Heap bytes", StringComparison.Ordinal))
            {
                total = Number(fields[0]);
            }
            else if (fields.Length == 3 && fields[0].All(c => char.IsAsciiDigit(c) || c == ',') && fields[1].All(c => char.IsAsciiDigit(c) || c == ','))
            {
                var (_, count) = byType.GetValueOrDefault(fields[2].Trim());
                byType[fields[2].Trim()] = (Number(fields[0]), count + Number(fields[1]));
            }
        }

        return (total, byType);
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return await output + await error;
    }
}

internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i].TrimStart('-')] = args[i + 1];
        }

        return new Arguments(values);
    }

    public string Text(string name) => values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

    public int Int(string name, int fallback) => values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);
}
