using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;
using StackExchange.Redis;

namespace AuthApp.Tests.Scheduling;

/// <summary>
/// Drives the running system like a client and an operator would: license keys and reads straight in the
/// database emulator, accounts, devices and schedules through the API, queue state in the real Redis.
/// </summary>
internal sealed class SchedulingStack(AppHostFixture host) : IAsyncDisposable
{
    public const string Namespace = "demo-authapp-default-rtdb";
    private static int _nextAddress;

    private readonly HttpClient _database = CreateDatabaseClient(host);
    private ConnectionMultiplexer? _redis;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async Task<IDatabase> RedisAsync()
    {
        _redis ??= await ConnectionMultiplexer.ConnectAsync(await host.App.GetConnectionStringAsync("cache", Cancellation) + ",allowAdmin=true");
        return _redis.GetDatabase();
    }

    public Task<JsonNode?> ReadAsync(string path) => _database.GetFromJsonAsync<JsonNode?>($"/{path}.json?ns={Namespace}", Cancellation);

    /// <summary>Signs up a new user with a fresh license key and signs in; every call uses its own client address.</summary>
    public async Task<ApiUser> NewUserAsync()
    {
        var key = "e2e-" + Guid.NewGuid().ToString("N");
        using (var put = await _database.PutAsJsonAsync($"/licenseKeys/{key}.json?ns={Namespace}", new { createdAt = 1, revoked = false }, Cancellation))
        {
            put.EnsureSuccessStatusCode();
        }

        var api = host.CreateHttpClient("api");
        // The API rate-limits sign-ups and logins per client address; the test AppHost trusts X-Forwarded-For from loopback.
        api.DefaultRequestHeaders.Add("X-Forwarded-For", $"10.77.{Interlocked.Increment(ref _nextAddress) / 250}.{_nextAddress % 250 + 1}");
        var email = $"{key}@example.com";
        var signup = await PostAsync<JsonObject>(api, "/auth/signup", new { email, password = "secret-123", name = "E2E", accessToken = key });
        var login = await PostAsync<JsonObject>(api, "/auth/login", new { email, password = "secret-123" });
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)login["idToken"]!);
        return new ApiUser((string)signup["uid"]!, api);
    }

    public static async Task<T> PostAsync<T>(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject() is T value ? value : throw new InvalidOperationException(text);
    }

    /// <summary>The next whole UTC minute at least 15 s away, as "HH:mm", and its instant.</summary>
    public static (string Time, DateTimeOffset At) NextMinute()
    {
        var now = DateTimeOffset.UtcNow;
        var at = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        if (at - now < TimeSpan.FromSeconds(15))
        {
            at = at.AddMinutes(1);
        }

        return (at.ToString("HH:mm", global::System.Globalization.CultureInfo.InvariantCulture), at);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(500, Cancellation);
        }

        return await condition();
    }

    public async ValueTask DisposeAsync()
    {
        _database.Dispose();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    private static HttpClient CreateDatabaseClient(AppHostFixture host)
    {
        var client = host.CreateHttpClient("firebase-database");
        // The emulator's owner credential: rules do not apply (as with the Admin SDK).
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "owner");
        return client;
    }
}

internal sealed record ApiUser(string Uid, HttpClient Api) : IDisposable
{
    public async Task AddDeviceAsync(string venue, string device)
    {
        using var venueResponse = await Api.PostAsJsonAsync("/auth/add_venue", new { venue }, TestContext.Current.CancellationToken);
        using var deviceResponse = await Api.PostAsJsonAsync("/auth/add_device", new { venue, device, state = "off" }, TestContext.Current.CancellationToken);
        deviceResponse.EnsureSuccessStatusCode();
    }

    public Task<JsonObject> SetScheduleAsync(string venue, string device, string time, string action) =>
        SchedulingStack.PostAsync<JsonObject>(Api, "/auth/set_schedule", new { venue, device, time, action });

    public void Dispose() => Api.Dispose();
}
