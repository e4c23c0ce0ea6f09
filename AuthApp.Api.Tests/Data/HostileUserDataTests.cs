using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Caching;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Data;

/// <summary>
/// A tenant whose own record holds anything a client can store (written straight into the database, past what the
/// rules allow) still gets answers from the API for every route of the contract: 2xx, or a 4xx problem that says
/// what is wrong. Never a 5xx, never an error in the log.
/// </summary>
public sealed class HostileUserDataTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private readonly ApiFactory _api = new(dependencies);

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_route_answers_a_tenant_whose_stored_data_is_hostile_with_2xx_or_4xx()
    {
        using var user = await _api.SignUpAsync();
        var cache = _api.Services.GetRequiredService<UserCache>();
        var record = await _api.ReadDatabaseAsync($"users/{user.Uid}");

        await HostileJson.UserRecord(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).SampleAsync(async hostile =>
        {
            // The account stays licensed: what is hostile is the data a client may write.
            foreach (var (field, value) in record!.AsObject())
            {
                hostile[field] = value?.DeepClone();
            }

            await _api.WriteDatabaseAsync($"users/{user.Uid}", hostile);
            await cache.EvictAsync(user.Uid, Cancellation);
            foreach (var (method, path, body) in Requests(hostile))
            {
                using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                using var response = await user.Client.SendAsync(request, Cancellation);
                Assert.True((int)response.StatusCode < 500, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Cancellation)}");
            }

            Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
        }, iter: PropertyRuns.Iterations(40), threads: 1);
    }

    /// <summary>Every route of the contract that reads or writes the user's data, aimed at what the record names.</summary>
    private static IEnumerable<(HttpMethod Method, string Path, object? Body)> Requests(JsonObject record)
    {
        var venue = (record["venues"] as JsonObject)?.Select(entry => entry.Key).FirstOrDefault() ?? "hall";
        var device = ((record["venues"] as JsonObject)?[venue] as JsonObject)?.Select(entry => entry.Key).FirstOrDefault() ?? "lamp";
        var scheduled = (record["schedules"] as JsonObject)?.Select(entry => entry.Key).FirstOrDefault() ?? venue;
        var scheduledDevice = ((record["schedules"] as JsonObject)?[scheduled] as JsonObject)?.Select(entry => entry.Key).FirstOrDefault() ?? device;
        var monitored = (record["monitoring_venues"] as JsonObject)?.Select(entry => entry.Key).FirstOrDefault() ?? "cellar";
        return
        [
            (HttpMethod.Get, "/auth/profile", null),
            (HttpMethod.Get, "/auth/get_schedules", null),
            (HttpMethod.Get, "/auth/get_monitoring_data", null),
            (HttpMethod.Get, "/auth/voice_key_exists", null),
            (HttpMethod.Post, "/auth/device_state", new { venue, device, value = "on" }),
            (HttpMethod.Post, "/auth/add_device", new { venue, device = "added", state = "off" }),
            (HttpMethod.Post, "/auth/add_venue", new { venue = "added" }),
            (HttpMethod.Post, "/auth/set_schedule", new { venue, device, time = "07:30 AM", action = "on" }),
            (HttpMethod.Post, "/auth/update_schedule_status", new { venue = scheduled, device = scheduledDevice, status = "disable" }),
            (HttpMethod.Post, "/auth/time_zone", new { timeZone = "Europe/Paris" }),
            (HttpMethod.Post, "/auth/save_fcm_token", new { token = "token" }),
            (HttpMethod.Post, "/auth/add_monitoring_venue", new { venue = monitored, sensors = new[] { "temp" } }),
            (HttpMethod.Get, "/auth/profile", null),
            (HttpMethod.Delete, "/auth/delete_schedule", new { venue = scheduled, device = scheduledDevice }),
            (HttpMethod.Delete, "/auth/delete_device", new { venue, device }),
            (HttpMethod.Delete, "/auth/delete_monitoring_venue", new { venue = monitored }),
            (HttpMethod.Delete, "/auth/delete_venue", new { venue }),
            (HttpMethod.Get, "/auth/get_schedules", null),
        ];
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
