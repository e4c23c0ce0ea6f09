// The streams case of bench/Api/run.sh (--mode streams): what GET /auth/events costs an API replica, on the users
// Program.cs made and the tokens it signed.
//   1. Baseline: each user's GET /auth/profile once (the token verified, the access record and profile cached), so
//      that what those caches hold is not counted as the streams' cost; the fan-out series of step 4, half as long, with
//      no stream open (the side-by-side reference for the writes' latency and CPU); then the API's memory.
//   2. One SSE connection per user (HTTP/1.1, a TCP connection each), each waited on until its first event, `sync`
//      (sent once the API's database stream of that user answered, its Redis subscription made before); the memory
//      right after, and after --idle-seconds of idle streams (heartbeats every 15 s); the heap's growth by type.
//   3. All but --fanout-users streams closed, the API's ResumeLinger (30 s) waited out: the memory again.
//   4. Fan-out on the streams left: for --fanout-seconds at --rate a second, a POST /auth/device_state for a random
//      user (its device to the other value) and a GET /alive, both timed to their answer, the write also to the
//      matching `device` event (source api) on that user's stream; then --direct-writes PUTs straight to the database
//      (the emulator's admin credential) timed to their `device` event (source direct, after the attribution grace).
//   5. The memory once more: what the closed streams left behind is gone by then, or kept.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json.Nodes;

internal sealed record StreamsSettings(
    Uri Api,
    int ApiPid,
    int DatabasePid,
    Uri Database,
    string Namespace,
    string Tools,
    string Work,
    int OpenConcurrency,
    int IdleSeconds,
    int FanOutUsers,
    double Rate,
    int FanOutSeconds,
    int DirectWrites,
    double DirectRate);

/// <summary>Sends <c>to - from</c> requests made by the function, with Program.cs's concurrency and retries; the wall time.</summary>
internal delegate Task<TimeSpan> Load(string what, Func<int, HttpRequestMessage> request, int from, int to);

internal sealed class StreamsCase(StreamsSettings settings, string[] uids, string[] tokens, Load load)
{
    private const string Venue = "Living";
    private const string Device = "Lamp";
    private static readonly TimeSpan EventDeadline = TimeSpan.FromSeconds(10);
    private static readonly long Started = Stopwatch.GetTimestamp();

    private readonly List<string> _table =
    [
        "| checkpoint | streams open | API VmRSS | API live heap (full GC) | API GC committed | API open files | API threads | RTDB emulator VmRSS |",
        "|---|---|---|---|---|---|---|---|",
    ];

    private readonly ConcurrentDictionary<int, Expected> _expected = new();
    private readonly ConcurrentDictionary<string, int> _stray = new(StringComparer.Ordinal);
    private string[]? _states;

    public async Task RunAsync()
    {
        var users = uids.Length;
        HttpRequestMessage Profile(int i) => Authorized(HttpMethod.Get, "auth/profile", i);
        await load("GET /auth/profile (baseline: each user's token verified and access cached once)", Profile, 0, users);
        await FanOutAsync(Math.Min(settings.FanOutUsers, users), control: true);
        var baseline = await CheckpointAsync("baseline: API started, each user's GET /auth/profile once", 0);
        var quiet = Memory.Cpu(settings.ApiPid);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var baselineCpu = (Memory.Cpu(settings.ApiPid) - quiet).TotalMilliseconds / 10;
        Console.WriteLine($"    API CPU with no stream open: {baselineCpu:N0} ms a second (10 s)");

        // Each stream holds its own connection: no pooling limit, no timeout.
        using var streamsHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var streams = new LiveStream?[users];
        try
        {
            Console.WriteLine($"==> Opening {users:N0} streams (GET /auth/events, one connection each), {settings.OpenConcurrency} at a time until their sync");
            var opening = Stopwatch.StartNew();
            var cpu = Memory.Cpu(settings.ApiPid);
            var next = -1;
            var opened = 0;
            var retries = 0;
            await Task.WhenAll(Enumerable.Range(0, settings.OpenConcurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < users)
                {
                    streams[i] = await OpenAsync(streamsHttp, i, () => Interlocked.Increment(ref retries));
                    if (Interlocked.Increment(ref opened) % 1_000 == 0)
                    {
                        Console.WriteLine($"    {opened:N0} synced, {opening.Elapsed.TotalSeconds:F1} s");
                    }
                }
            }));
            Console.WriteLine($"    {users:N0} streams synced in {opening.Elapsed.TotalSeconds:F1} s ({users / opening.Elapsed.TotalSeconds:N0}/s, " +
                              $"{(Memory.Cpu(settings.ApiPid) - cpu).TotalMicroseconds / users:N0} µs of API CPU each, {retries} opens retried after a 503)");
            await CheckpointAsync($"all {users:N0} streams open, each synced", users);

            Console.WriteLine($"==> {settings.IdleSeconds} s with every stream open and idle");
            cpu = Memory.Cpu(settings.ApiPid);
            var heartbeatsBefore = streams.Select(stream => stream!.Heartbeats).ToList();
            await Task.Delay(TimeSpan.FromSeconds(settings.IdleSeconds));
            var idleCpu = Memory.Cpu(settings.ApiPid) - cpu;
            var ended = streams.Count(stream => stream!.Closed);
            var heartbeats = streams.Select((stream, i) => stream!.Heartbeats - heartbeatsBefore[i]).ToList();
            Console.WriteLine($"    heartbeats per stream while idle: min {heartbeats.Min()}, max {heartbeats.Max()}; streams ended meanwhile: {ended}; " +
                              $"API CPU while idle: {idleCpu.TotalMilliseconds / settings.IdleSeconds:N0} ms a second");
            var idle = await CheckpointAsync($"after {settings.IdleSeconds} s with all {users:N0} open and idle", users);

            var kept = Math.Min(settings.FanOutUsers, users);
            Console.WriteLine($"==> Closing {users - kept:N0} streams, keeping {kept:N0}; waiting out the resume linger (30 s) and a sweep");
            await Task.WhenAll(streams.Skip(kept).Select(stream => stream!.DisposeAsync().AsTask()));
            for (var i = kept; i < users; i++)
            {
                streams[i] = null;
            }

            await Task.Delay(TimeSpan.FromSeconds(35));
            await CheckpointAsync($"{users - kept:N0} closed, their linger over", kept);

            Report(users, baseline, idle);
            await FanOutAsync(kept, control: false);
            Console.WriteLine();
            Console.WriteLine("The memory once more, after the fan-out (what the closed streams left behind is either gone by now or kept):");
            Console.WriteLine();
            Console.WriteLine(_table[0]);
            Console.WriteLine(_table[1]);
            await CheckpointAsync($"after the fan-out, {kept:N0} still open", kept);
        }
        finally
        {
            await Task.WhenAll(streams.Where(stream => stream is not null).Select(stream => stream!.DisposeAsync().AsTask()));
        }
    }

    private void Report(int users, Reading baseline, Reading idle)
    {
        Console.WriteLine();
        foreach (var line in _table)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine();
        var rss = idle.Rss - baseline.Rss;
        var heap = (idle.LiveHeap ?? 0) - (baseline.LiveHeap ?? 0);
        Console.WriteLine($"Added by {users:N0} idle streams: VmRSS {Memory.Mb(rss)} ({rss / users:N0} B a stream, {rss * 10_000.0 / users / (1024 * 1024):N0} MB per 10,000; target < 100 MB), " +
                          $"live heap {Memory.Mb(heap)} ({heap / users:N0} B a stream); RTDB emulator VmRSS {Memory.Mb(idle.DatabaseRss - baseline.DatabaseRss)}");
        Console.WriteLine();
        Console.WriteLine("Live heap growth by type, baseline -> idle streams (dotnet-gcdump), the largest:");
        Console.WriteLine();
        Console.WriteLine("| type | object size | objects added | a stream | bytes added (size x objects) | a stream |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (type, size, count) in idle.ByType
                     .Select(entry => (Type: entry.Key, Size: entry.Value.Bytes, Count: entry.Value.Count - baseline.ByType.GetValueOrDefault(entry.Key).Count))
                     .OrderByDescending(entry => entry.Size * entry.Count).Take(15))
        {
            Console.WriteLine($"| `{type}` | {size:N0} B | {count:N0} | {count / (double)users:N1} | {Memory.Mb(size * count)} | {size * count / (double)users:N0} B |");
        }
    }

    /// <summary>
    /// The fan-out series on users 0 to <paramref name="kept"/> - 1; with <paramref name="control"/>, the same writes and
    /// /alive at the same rate for half as long while no stream is open (no events awaited): the side-by-side reference.
    /// </summary>
    private async Task FanOutAsync(int kept, bool control)
    {
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan }) { Timeout = TimeSpan.FromSeconds(30) };
        var states = _states ??= Enumerable.Repeat("off", kept).ToArray();
        var busy = new ConcurrentDictionary<int, byte>();
        int Pick()
        {
            while (true)
            {
                var user = Random.Shared.Next(kept);
                if (busy.TryAdd(user, 0))
                {
                    return user;
                }
            }
        }

        async Task<Sample> WriteAsync(bool direct)
        {
            var user = Pick();
            try
            {
                var state = states[user] = states[user] == "on" ? "off" : "on";
                var expected = new Expected(state, direct ? "direct" : "api");
                _expected[user] = expected;
                using var message = direct
                    ? new HttpRequestMessage(HttpMethod.Put, new Uri(settings.Database, $"users/{uids[user]}/venues/{Venue}/{Device}.json?ns={settings.Namespace}&print=silent"))
                    {
                        Content = new StringContent($"\"{state}\"", Encoding.UTF8, "application/json"),
                        Headers = { Authorization = new("Bearer", "owner") },
                    }
                    : Authorized(HttpMethod.Post, "auth/device_state", user, new JsonObject { ["venue"] = Venue, ["device"] = Device, ["value"] = state });
                var sent = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(message);
                await response.Content.LoadIntoBufferAsync();
                var answered = Stopwatch.GetElapsedTime(sent);
                TimeSpan? arrived = null;
                if (control)
                {
                }
                else if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        arrived = Stopwatch.GetElapsedTime(sent, await expected.Arrived.Task.WaitAsync(EventDeadline));
                    }
                    catch (TimeoutException)
                    {
                        Console.WriteLine($"    no {expected.Source} {state} event for user {user} (sent at {Stopwatch.GetElapsedTime(Started, sent).TotalSeconds:F2} s, answered in {answered.TotalMilliseconds:F0} ms)");
                    }
                }
                else
                {
                    // The device did not change: the next write to it sets the same value again.
                    states[user] = state == "on" ? "off" : "on";
                }

                _expected.TryRemove(KeyValuePair.Create(user, expected));
                return new Sample(answered, response.StatusCode, arrived);
            }
            finally
            {
                busy.TryRemove(user, out _);
            }
        }

        async Task<Sample> AliveAsync()
        {
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(new Uri(settings.Api, "alive"));
            await response.Content.LoadIntoBufferAsync();
            return new Sample(Stopwatch.GetElapsedTime(sent), response.StatusCode, null);
        }

        var quiet = Memory.Cpu(settings.ApiPid);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var idlePerSecond = (Memory.Cpu(settings.ApiPid) - quiet) / 10;
        Console.WriteLine($"    API CPU with {(control ? "no stream" : $"{kept:N0} streams")} open, idle: {idlePerSecond.TotalMilliseconds:N0} ms a second (10 s)");
        var seconds = control ? settings.FanOutSeconds / 2 : settings.FanOutSeconds;
        Console.WriteLine($"==> {(control ? "Control, no stream open" : "Fan-out")}: {seconds} s at {settings.Rate}/s of POST /auth/device_state for a random one of {kept:N0} " +
                          $"{(control ? "" : "connected ")}users, and as many GET /alive, side by side");
        var cpu = Memory.Cpu(settings.ApiPid);
        var (writes, alives) = await PacedAsync(settings.Rate, (int)(settings.Rate * seconds), () => WriteAsync(direct: false), AliveAsync);
        var apiCpu = Memory.Cpu(settings.ApiPid) - cpu - idlePerSecond * seconds;
        if (control)
        {
            Console.WriteLine();
            Console.WriteLine("| series (no stream open) | count | p50 | p99 | max | non-2xx | events missing |");
            Console.WriteLine("|---|---|---|---|---|---|---|");
            Row("GET /alive, to its 200", alives, sample => sample.Answered, "-");
            Row("POST /auth/device_state, to its 200", writes, sample => sample.Answered, "-");
            Console.WriteLine();
            Console.WriteLine($"API CPU beyond idle: {apiCpu.TotalMicroseconds / Math.Max(1, writes.Count):N0} µs per write (with its /alive)");
            return;
        }

        var strayApi = _stray.ToArray();
        _stray.Clear();
        await Task.Delay(TimeSpan.FromSeconds(1)); // late events of the API series are theirs, not the direct series'
        Console.WriteLine($"==> Direct writes: {settings.DirectWrites} PUTs straight to the database at {settings.DirectRate}/s (admin credential), each to its `device` event");
        var (directs, _) = await PacedAsync(settings.DirectRate, settings.DirectWrites, () => WriteAsync(direct: true), null);

        Console.WriteLine();
        Console.WriteLine($"Fan-out with {kept:N0} connected users: {settings.Rate}/s for {settings.FanOutSeconds} s; each time from sending the request; " +
                          $"an event not seen within {EventDeadline.TotalSeconds:N0} s is counted missing.");
        Console.WriteLine();
        Console.WriteLine("| series | count | p50 | p99 | max | non-2xx | events missing |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        Row("GET /alive, to its 200", alives, sample => sample.Answered, "-");
        Row("POST /auth/device_state, to its 200", writes, sample => sample.Answered, "-");
        Row("POST /auth/device_state, to its `device` event (source api) on the user's stream", writes, sample => sample.Event, writes.Count(sample => sample.Ok && sample.Event is null).ToString("N0", CultureInfo.InvariantCulture));
        Row("PUT to the database directly, to its answer", directs, sample => sample.Answered, "-");
        Row("PUT to the database directly, to its `device` event (source direct; includes the 250 ms attribution grace)", directs, sample => sample.Event, directs.Count(sample => sample.Ok && sample.Event is null).ToString("N0", CultureInfo.InvariantCulture));
        Console.WriteLine();
        Console.WriteLine($"API CPU during the fan-out, beyond the idle streams': {apiCpu.TotalMicroseconds / Math.Max(1, writes.Count):N0} µs per write (with its /alive and its event); " +
                          $"events that matched no write: {Stray(strayApi)} during the API series, {Stray(_stray.ToArray())} during the direct series");
    }

    private static string Stray(KeyValuePair<string, int>[] stray) =>
        stray.Length == 0 ? "none" : $"{stray.Sum(entry => entry.Value)}: " + string.Join(", ", stray.OrderByDescending(entry => entry.Value).Take(10).Select(entry => $"{entry.Value} x {entry.Key}"));

    private static void Row(string label, List<Sample> samples, Func<Sample, TimeSpan?> measure, string missing)
    {
        var values = samples.Where(sample => sample.Ok).Select(measure).OfType<TimeSpan>().Select(value => value.TotalMilliseconds).Order().ToList();
        string At(double quantile) => values.Count == 0 ? "-" : $"{values[Math.Min(values.Count - 1, (int)Math.Ceiling(quantile * values.Count) - 1)]:F1} ms";
        Console.WriteLine($"| {label} | {values.Count:N0} | {At(0.50)} | {At(0.99)} | {At(1.0)} | {samples.Count(sample => !sample.Ok):N0} | {missing} |");
    }

    /// <summary>Starts <paramref name="count"/> of each operation at a steady <paramref name="rate"/> a second (open loop: not waiting for answers).</summary>
    private static async Task<(List<Sample> First, List<Sample> Second)> PacedAsync(double rate, int count, Func<Task<Sample>> first, Func<Task<Sample>>? second)
    {
        var firsts = new List<Task<Sample>>(count);
        var seconds = new List<Task<Sample>>(count);
        var clock = Stopwatch.StartNew();
        for (var k = 0; k < count; k++)
        {
            var wait = TimeSpan.FromSeconds(k / rate) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            firsts.Add(Task.Run(first));
            if (second is not null)
            {
                seconds.Add(Task.Run(second));
            }
        }

        return ([.. await Task.WhenAll(firsts)], [.. await Task.WhenAll(seconds)]);
    }

    /// <summary>A device event on user <paramref name="user"/>'s stream: the awaited write's, or a stray one.</summary>
    private void OnDevice(int user, JsonNode? data, long at)
    {
        var state = (string?)data?["state"];
        var source = (string?)data?["source"];
        if ((string?)data?["venue"] == Venue && (string?)data?["device"] == Device
            && _expected.TryGetValue(user, out var expected) && expected.State == state && expected.Source == source
            && expected.Arrived.TrySetResult(at))
        {
            return;
        }

        // Which user and when (since the bench started): a stray is a write told otherwise than it was made, or twice.
        _stray.AddOrUpdate($"{source} {state} (user {user}, at {Stopwatch.GetElapsedTime(Started, at).TotalSeconds:F2} s)", 1, (_, n) => n + 1);
    }

    private async Task<LiveStream> OpenAsync(HttpClient http, int user, Action retried)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = Authorized(HttpMethod.Get, "auth/events", user);
            request.Headers.Accept.ParseAdd("text/event-stream");
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var stream = new LiveStream(response, (data, at) => OnDevice(user, data, at));
                try
                {
                    await stream.Synced.WaitAsync(TimeSpan.FromSeconds(60));
                }
                catch (Exception exception)
                {
                    await stream.DisposeAsync();
                    throw new InvalidOperationException($"Stream {user:N0} had no sync: {exception.Message}", exception);
                }

                return stream;
            }

            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
            {
                retried();
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }

            throw new InvalidOperationException($"GET /auth/events of user {user:N0} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path, int user, JsonNode? body = null)
    {
        var message = new HttpRequestMessage(method, new Uri(settings.Api, path));
        message.Headers.Authorization = new("Bearer", tokens[user]);
        if (body is not null)
        {
            message.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        return message;
    }

    private async Task<Reading> CheckpointAsync(string label, int open)
    {
        var (rss, _) = Memory.Resident(settings.ApiPid);
        var (databaseRss, _) = Memory.Resident(settings.DatabasePid);
        var files = Directory.GetFiles($"/proc/{settings.ApiPid}/fd").Length;
        var threads = File.ReadLines($"/proc/{settings.ApiPid}/status").First(line => line.StartsWith("Threads:", StringComparison.Ordinal)).Split('\t', ' ')[^1];
        var counters = await Memory.CountersAsync(settings.Tools, settings.ApiPid, settings.Work);
        var (live, byType) = await Memory.LiveHeapByTypeAsync(settings.Tools, settings.ApiPid, settings.Work);
        _table.Add($"| {label} | {open:N0} | {Memory.Mb(rss)} | {Memory.Mb(live)} | {Memory.Mb(counters.Committed)} | {files:N0} | {threads} | {Memory.Mb(databaseRss)} |");
        Console.WriteLine(_table[^1]);
        return new Reading(rss, live, databaseRss, byType);
    }

    private sealed record Reading(long Rss, long? LiveHeap, long DatabaseRss, Dictionary<string, (long Bytes, long Count)> ByType);

    private sealed record Expected(string State, string Source)
    {
        public TaskCompletionSource<long> Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Sample(TimeSpan Answered, HttpStatusCode Status, TimeSpan? Event)
    {
        public bool Ok => (int)Status is >= 200 and < 300;
    }
}

/// <summary>
/// One open <c>GET /auth/events</c>, read in the background with the in-box SSE parser: its sync, its heartbeats, and
/// each <c>device</c> event handed over with the time it was read (<see cref="Stopwatch.GetTimestamp"/>).
/// </summary>
internal sealed class LiveStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Action<JsonNode?, long> _onDevice;
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;
    private int _heartbeats;

    public LiveStream(HttpResponseMessage response, Action<JsonNode?, long> onDevice)
    {
        _response = response;
        _onDevice = onDevice;
        _reading = Task.Run(ReadAsync);
    }

    public Task Synced => _synced.Task;

    public int Heartbeats => Volatile.Read(ref _heartbeats);

    public bool Closed => _reading.IsCompleted;

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(_stop.Token))
            {
                var at = Stopwatch.GetTimestamp();
                switch (item.EventType)
                {
                    case "sync":
                        _synced.TrySetResult();
                        break;
                    case "heartbeat":
                        Interlocked.Increment(ref _heartbeats);
                        break;
                    case "device":
                        _onDevice(JsonNode.Parse(item.Data), at);
                        break;
                    case "end":
                        _synced.TrySetException(new InvalidOperationException($"the stream ended: {item.Data}"));
                        break;
                }
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _synced.TrySetException(new InvalidOperationException("the stream closed before its sync"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
