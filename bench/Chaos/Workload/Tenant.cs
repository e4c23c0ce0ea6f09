using System.Globalization;
using System.Text.Json.Nodes;
using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Workload;

/// <summary>
/// One simulated customer, driven by its own seeded random sequence: signs up with a license key, signs in, saves an
/// FCM token, adds a venue with three devices, then until the end writes device states, reads its profile and
/// schedules, schedules its lamp for a minute soon, signs in again now and then, and (some tenants) deletes its
/// account. Its names carry its tag (<c>T0007</c>) and nobody else's, so that any other tenant's data in its answers
/// shows. It behaves as a client app does: waits out <c>Retry-After</c>, repeats a write that got no answer or a 503,
/// signs in again after a 401.
/// </summary>
public sealed class Tenant(int index, int seed, string runNonce, TenantPlan plan, ApiGateway api, Func<string, Task> createLicense, HistoryRecorder history, TimeProvider clock)
{
    public const string Password = "correct-horse-7";
    private static readonly string[] Values = ["on", "off", "1", "2", "3", "4", "5"];

    private readonly Random _random = new(HashCode.Combine(seed, index));
    private string? _idToken;
    private long _pendingOccurrence;

    public string Tag { get; } = $"T{index:D4}";

    public string Venue => $"Home-{Tag}";

    /// <summary>The device only the scheduler writes (its schedules' actions), and the two the tenant switches itself.</summary>
    public string ScheduledDevice => $"Lamp-{Tag}";

    public string[] Devices => [ScheduledDevice, $"Fan-{Tag}", $"Heater-{Tag}"];

    private string Email => $"chaos-{runNonce}-{Tag.ToLowerInvariant()}@example.com";

    private string FcmToken => $"fcm-{runNonce}-{Tag}";

    /// <summary>An address of its own (198.18.0.0/15, for benchmarks): the API's per-address limits apply per tenant.</summary>
    private string ClientAddress => $"198.18.{index / 250}.{index % 250 + 1}";

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            await DelayAsync(plan.StartAfter, stop);
            if (!await SetUpAsync(stop))
            {
                return;
            }

            // A first schedule at once: in a short run every tenant still has an occurrence due.
            if (ScheduleAllowed())
            {
                await SetScheduleAsync(stop);
            }

            while (history.NowMs < plan.StopAtMs)
            {
                if (plan.DeleteAtMs is { } deleteAt && history.NowMs >= deleteAt)
                {
                    await DeleteAccountAsync(stop);
                    return;
                }

                await NextOperationAsync(stop);
                await DelayAsync(TimeSpan.FromMilliseconds(_random.Next(250, 1000)), stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> SetUpAsync(CancellationToken stop)
    {
        var key = $"AK-CHAOS-{runNonce}-{Tag}";
        await createLicense(key);
        var signup = await UntilAnsweredAsync("signup", HttpMethod.Post, "/auth/signup",
            new { email = Email, password = Password, name = $"Tenant {Tag}", accessToken = key }, authenticated: false, stop);
        // A signup whose first answer was lost may have succeeded: its retry then meets the existing account.
        if (signup is null)
        {
            return false;
        }

        var uid = await SignInAsync(stop) ?? (string?)JsonNode.Parse(signup.Body ?? "{}")?["uid"];
        if (uid is null || _idToken is null)
        {
            return false;
        }

        history.Add(new TenantRecord(Tag, uid, Email, Venue, Devices, FcmToken));
        return await UntilAnsweredAsync("save_fcm_token", HttpMethod.Post, "/auth/save_fcm_token", new { token = FcmToken }, true, stop) is not null
            && await UntilAnsweredAsync("add_venue", HttpMethod.Post, "/auth/add_venue", new { venue = Venue }, true, stop, new(Venue)) is not null
            && await AddDevicesAsync(stop);
    }

    private async Task<bool> AddDevicesAsync(CancellationToken stop)
    {
        foreach (var device in Devices)
        {
            if (await UntilAnsweredAsync("add_device", HttpMethod.Post, "/auth/add_device", new { venue = Venue, device, state = "off" }, true, stop,
                    new(Venue, device, "off")) is null)
            {
                return false;
            }
        }

        return true;
    }

    private async Task NextOperationAsync(CancellationToken stop)
    {
        var roll = _random.Next(100);
        if (roll < 12 && ScheduleAllowed())
        {
            await SetScheduleAsync(stop);
        }
        else if (roll < 50)
        {
            var device = Devices[1 + _random.Next(2)];
            var value = Values[_random.Next(Values.Length)];
            await CallAsync("device_state", HttpMethod.Post, "/auth/device_state", new { venue = Venue, device, value }, true, stop, new(Venue, device, value));
        }
        else if (roll < 80)
        {
            await CallAsync("profile", HttpMethod.Get, "/auth/profile", null, true, stop);
        }
        else if (roll < 96)
        {
            await CallAsync("get_schedules", HttpMethod.Get, "/auth/get_schedules", null, true, stop);
        }
        else
        {
            await SignInAsync(stop);
        }
    }

    /// <summary>One pending occurrence at a time, and the next only a minute after it was due: each one stands alone.</summary>
    private bool ScheduleAllowed() =>
        clock.GetUtcNow().ToUnixTimeSeconds() > _pendingOccurrence + 60
        && history.MsOf(NextMinute()) < plan.LastOccurrenceMs;

    /// <summary>The first whole UTC minute at least 20 s away: due soon, and safely after the answer.</summary>
    private DateTimeOffset NextMinute()
    {
        var soon = clock.GetUtcNow().AddSeconds(20);
        return new DateTimeOffset(soon.Year, soon.Month, soon.Day, soon.Hour, soon.Minute, 0, TimeSpan.Zero).AddMinutes(1);
    }

    private async Task SetScheduleAsync(CancellationToken stop)
    {
        var occurrence = NextMinute();
        var action = Values[_random.Next(Values.Length)];
        var time = occurrence.ToString("HH:mm", CultureInfo.InvariantCulture);
        _pendingOccurrence = occurrence.ToUnixTimeSeconds();
        await CallAsync("set_schedule", HttpMethod.Post, "/auth/set_schedule", new { venue = Venue, device = ScheduledDevice, time, action }, true, stop,
            new(Venue, ScheduledDevice, action, occurrence.ToUnixTimeSeconds()));
    }

    /// <summary>Signs in (again): a fresh ID token, and a recent sign-in for the account's deletion.</summary>
    private async Task<string?> SignInAsync(CancellationToken stop)
    {
        var login = await UntilAnsweredAsync("login", HttpMethod.Post, "/auth/login", new { email = Email, password = Password }, false, stop);
        if (login?.Body is not { } body || JsonNode.Parse(body) is not JsonObject answer)
        {
            return null;
        }

        _idToken = (string?)answer["idToken"];
        return (string?)answer["localId"];
    }

    private async Task DeleteAccountAsync(CancellationToken stop)
    {
        if (await SignInAsync(stop) is null)
        {
            return;
        }

        await UntilAnsweredAsync("delete_account", HttpMethod.Delete, "/auth/account", null, true, stop);
    }

    /// <summary>Repeats a request that got no answer, a 503 or a 429 until it is answered otherwise (or the run ends).</summary>
    private async Task<RequestRecord?> UntilAnsweredAsync(
        string kind, HttpMethod method, string path, object? body, bool authenticated, CancellationToken stop, RequestDetails? details = null)
    {
        while (history.NowMs < plan.StopAtMs + 30_000)
        {
            var answer = await CallAsync(kind, method, path, body, authenticated, stop, details);
            if (answer.Acknowledged)
            {
                return answer;
            }

            if (answer.Status is >= 400 and < 500 and not 429 and not 401)
            {
                return kind == "signup" ? answer : null; // refused for what it is: repeating changes nothing
            }

            if (answer.Status == 429 && history.NowMs >= plan.StopAtMs)
            {
                return null; // a limit outlasts the workload: give up rather than knock on it
            }

            await DelayAsync(TimeSpan.FromMilliseconds(500), stop);
        }

        return null;
    }

    private async Task<RequestRecord> CallAsync(
        string kind, HttpMethod method, string path, object? body, bool authenticated, CancellationToken stop, RequestDetails? details = null)
    {
        var answer = await api.SendAsync(Tag, kind, method, path, body, authenticated ? _idToken : null, ClientAddress, details, stop);
        if (answer.Status == 401 && authenticated)
        {
            await SignInAsync(stop);
        }
        else if (answer.Status is 503 or 429 && double.TryParse(answer.RetryAfter, CultureInfo.InvariantCulture, out var seconds))
        {
            // As a client app would: a limit is waited out; an outage is tried again after a few seconds at most.
            // Never past the end of the workload: a tenant waiting out a limit does not hold the run up.
            var wait = Math.Min(seconds, answer.Status == 429 ? 60 : 5);
            var left = (plan.StopAtMs - history.NowMs) / 1000;
            await DelayAsync(TimeSpan.FromSeconds(Math.Max(0, Math.Min(wait, left))), stop);
        }

        return answer;
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken stop) => Task.Delay(delay, clock, stop);
}

/// <summary>When a tenant starts, stops, and (for some) deletes its account; its last schedule's latest occurrence.</summary>
public sealed record TenantPlan(TimeSpan StartAfter, double StopAtMs, double LastOccurrenceMs, double? DeleteAtMs);
