using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Bench.Chaos.History;
using AuthApp.Domain.Schedules;
using StackExchange.Redis;

namespace AuthApp.Bench.Chaos.Observation;

/// <summary>
/// Watches what the workers do while the run goes on, from outside: tails the scheduler's audit streams
/// (one per index shard, <see cref="ScheduleIndexShard.AuditStream"/>, every 500 ms, so that a Redis restarted empty
/// loses at most the last half second of them) and polls every tenant's schedules in the database (every 2 s, straight to the emulator as the admin,
/// past the faulty link), recording each <c>lastNotified</c> value it has not seen before. A firing that the stream
/// lost still shows in the database, and one the database overwrote still shows in the stream.
/// </summary>
public sealed class SystemObserver(string redisConnectionString, Uri database, string databaseNamespace, HistoryRecorder history, TimeProvider clock)
{
    private readonly HashSet<string> _notified = [];
    private readonly RedisValue[] _lastStreamIds = [.. ScheduleIndexShard.All.Select(_ => (RedisValue)"-")];

    /// <summary>The uids under <c>users</c> at the last look at the database.</summary>
    public IReadOnlySet<string> LatestUsers { get; private set; } = new HashSet<string>();

    public async Task RunAsync(CancellationToken stop)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync($"{redisConnectionString},abortConnect=false,connectTimeout=1000,syncTimeout=2000,asyncTimeout=2000");
        using var http = new HttpClient { BaseAddress = database, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
        await Task.WhenAll(TailAuditStreamAsync(redis, stop), PollDatabaseAsync(http, stop));
    }

    /// <summary>One last look at both, after the workload and the faults are over.</summary>
    public async Task FinalLookAsync(CancellationToken cancellationToken)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync($"{redisConnectionString},abortConnect=false,connectTimeout=2000");
        using var http = new HttpClient { BaseAddress = database, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
        await ReadAuditStreamAsync(redis.GetDatabase());
        await ReadSchedulesAsync(http, cancellationToken);
    }

    private async Task TailAuditStreamAsync(ConnectionMultiplexer redis, CancellationToken stop)
    {
        var db = redis.GetDatabase();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadAuditStreamAsync(db);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                // Redis is down (a fault): look again.
            }

            await Delay(TimeSpan.FromMilliseconds(500), stop);
        }
    }

    private async Task ReadAuditStreamAsync(IDatabase db)
    {
        foreach (var shard in ScheduleIndexShard.All)
        {
            await ReadAuditStreamAsync(db, shard);
        }
    }

    private async Task ReadAuditStreamAsync(IDatabase db, ScheduleIndexShard shard)
    {
        // Stream ids are times: a Redis restarted empty starts later ones, so "after the last seen" stays right.
        var last = _lastStreamIds[shard.Number];
        var entries = await db.StreamRangeAsync(shard.AuditStream, last == "-" ? "-" : $"({last}", "+", count: 1000);
        foreach (var entry in entries)
        {
            _lastStreamIds[shard.Number] = entry.Id;
            history.Add(new FiringRecord(
                (string?)entry["id"] ?? "", (long)entry["occurrence"], (string?)entry["outcome"] ?? "", (string?)entry["instance"] ?? "",
                (long)entry["firedAt"], history.NowMs, entry.Id!));
        }
    }

    private async Task PollDatabaseAsync(HttpClient http, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await ReadSchedulesAsync(http, stop);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
            {
            }

            await Delay(TimeSpan.FromSeconds(2), stop);
        }
    }

    private async Task ReadSchedulesAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var users = await http.GetFromJsonAsync<JsonObject?>($"users.json?ns={databaseNamespace}", cancellationToken);
        LatestUsers = (users ?? []).Select(pair => pair.Key).ToHashSet();
        foreach (var (uid, user) in users ?? [])
        {
            if (user?["schedules"] is not JsonObject venues)
            {
                continue;
            }

            foreach (var (venue, devices) in venues)
            {
                foreach (var (device, schedule) in devices as JsonObject ?? [])
                {
                    if (schedule?["lastNotified"] is JsonValue value && value.TryGetValue(out long lastNotified)
                        && _notified.Add($"{uid}/{venue}/{device}/{lastNotified}"))
                    {
                        var state = user["venues"]?[venue]?[device] is JsonValue stateValue && stateValue.TryGetValue(out string? text) ? text : null;
                        history.Add(new NotifiedRecord(uid, venue, device, lastNotified, state, history.NowMs));
                    }
                }
            }
        }
    }

    private async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, clock, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
