using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Bench.Chaos.Checking;

/// <summary>
/// The system's state once everything has settled: the database's <c>users</c> tree (read as the admin, straight
/// from the emulator), which of the run's accounts still exist in Auth, and the entries the scheduler quarantined.
/// </summary>
public sealed record FinalState(JsonObject Users, IReadOnlySet<string> AuthAccounts, IReadOnlyList<string> Quarantined)
{
    public static async Task<FinalState> ReadAsync(
        Uri database, string databaseNamespace, string authHost, string projectId, IEnumerable<string> uids,
        string redisConnectionString, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", "owner");
        var users = await http.GetFromJsonAsync<JsonObject?>(new Uri(database, $"users.json?ns={databaseNamespace}"), cancellationToken) ?? [];

        var accounts = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in uids.Chunk(100))
        {
            using var lookup = await http.PostAsJsonAsync(
                $"http://{authHost}/identitytoolkit.googleapis.com/v1/projects/{projectId}/accounts:lookup",
                new JsonObject { ["localId"] = new JsonArray([.. chunk.Select(uid => (JsonNode)uid)]) }, cancellationToken);
            lookup.EnsureSuccessStatusCode();
            var found = await lookup.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            foreach (var user in found?["users"] as JsonArray ?? [])
            {
                accounts.Add((string)user!["localId"]!);
            }
        }

        using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync($"{redisConnectionString},abortConnect=false,connectTimeout=2000");
        var quarantined = new List<string>();
        foreach (var shard in AuthApp.Domain.Schedules.ScheduleIndexShard.All)
        {
            quarantined.AddRange((await redis.GetDatabase().HashKeysAsync(shard.QuarantineKey)).Select(key => key.ToString()));
        }

        return new FinalState(users, accounts, quarantined);
    }
}
