using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Checking;

/// <summary>The bounds the checker holds the system to.</summary>
public sealed record CheckerBounds(TimeSpan RecoveryAllowance, TimeSpan RecoveryBound, TimeSpan CatchUpWindow)
{
    public static readonly CheckerBounds Default = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));
}

/// <summary>
/// Judges a run from its history (every request and answer, the faults, the firings and pushes seen) and the final
/// state. It knows nothing of how the system works inside: only what a client was told, what the database holds at
/// the end, and what the workers logged and recorded.
/// </summary>
public sealed partial class Checker(IReadOnlyCollection<HistoryRecord> history, FinalState final, CheckerBounds bounds)
{
    private readonly List<Violation> _violations = [];
    private readonly Dictionary<string, int> _checked = Invariants.All.ToDictionary(name => name, _ => 0);
    private readonly List<string> _notes = [];
    private readonly List<RequestRecord> _requests = [.. history.OfType<RequestRecord>().OrderBy(request => request.Seq)];
    private readonly List<FaultRecord> _faults = [.. history.OfType<FaultRecord>().OrderBy(fault => fault.StartMs)];
    private readonly Dictionary<string, TenantRecord> _tenants = history.OfType<TenantRecord>().GroupBy(t => t.Tenant).ToDictionary(g => g.Key, g => g.Last());
    private readonly DateTimeOffset _started = history.OfType<RunStarted>().Single().At;

    public Verdict Judge()
    {
        CheckAnswers();
        CheckIsolation();
        foreach (var tenant in _tenants.Values)
        {
            var requests = _requests.Where(request => request.Tenant == tenant.Tenant).ToList();
            var firings = CheckSchedules(tenant, requests);
            if (requests.Any(request => request.Kind == "delete_account"))
            {
                CheckDeletion(tenant, requests);
            }
            else
            {
                CheckWrites(tenant, requests, firings);
            }

            CheckPushes(tenant, firings);
        }

        CheckPushJobs();
        var faults = _faults.Select(Report).ToList();
        var summary = Invariants.All.Select(name => new InvariantSummary(name, Bound(name), _checked[name], _violations.Count(v => v.Invariant == name))).ToList();
        return new Verdict(faults, summary, _violations, _notes);
    }

    private string Bound(string invariant) => invariant switch
    {
        Invariants.Unavailable or Invariants.NoAnswer => $"fault window + {bounds.RecoveryAllowance.TotalSeconds:0} s",
        Invariants.Recovery => $"first answer of each kind <= {bounds.RecoveryBound.TotalSeconds:0} s after the fault ends",
        Invariants.FireOnce => $"catch-up window {bounds.CatchUpWindow.TotalMinutes:0} min",
        _ => "none allowed",
    };

    private void Broken(string invariant, string evidence, double? atMs = null) => _violations.Add(new Violation(invariant, evidence, atMs));

    private static string Describe(RequestRecord request) =>
        $"#{request.Seq} {request.Tenant} {request.Method} {request.Path} via {request.Replica}, sent at {request.SentMs / 1000:0.000} s, " +
        $"answered {(request.Status == 0 ? request.Error : request.Status.ToString(CultureInfo.InvariantCulture))} after {(request.DoneMs - request.SentMs) / 1000:0.000} s" +
        (request.Body is { Length: > 0 } body ? $": {(body.Length > 300 ? body[..300] + "..." : body)}" : "");

    /// <summary>Which fault's window (plus the allowance) a request overlaps, if any.</summary>
    private FaultRecord? WindowOf(RequestRecord request) => _faults.FirstOrDefault(fault =>
        request.SentMs <= fault.EndMs + bounds.RecoveryAllowance.TotalMilliseconds && request.DoneMs >= fault.StartMs);

    /// <summary>No 500; 503 and lost answers only inside a fault's window; every 503 and 429 with Retry-After.</summary>
    private void CheckAnswers()
    {
        foreach (var request in _requests)
        {
            _checked[Invariants.No500]++;
            if (request.Status >= 500 && request.Status != 503)
            {
                Broken(Invariants.No500, Describe(request), request.SentMs);
            }

            if (request.Status is 503 or 429)
            {
                _checked[Invariants.Unavailable]++;
                if (request.RetryAfter is null)
                {
                    Broken(Invariants.Unavailable, $"no Retry-After: {Describe(request)}", request.SentMs);
                }
                else if (request.Status == 503 && WindowOf(request) is null)
                {
                    Broken(Invariants.Unavailable, $"outside every fault window: {Describe(request)}", request.SentMs);
                }
            }

            if (request.Status == 0)
            {
                _checked[Invariants.NoAnswer]++;
                if (WindowOf(request) is null)
                {
                    Broken(Invariants.NoAnswer, Describe(request), request.SentMs);
                }
            }
        }
    }

    /// <summary>Every name in an answer (venues and devices carry their tenant's tag) and every uid is the tenant's own.</summary>
    private void CheckIsolation()
    {
        var uids = _tenants.Values.ToDictionary(tenant => tenant.Uid, tenant => tenant.Tenant);
        foreach (var request in _requests.Where(request => request.Body is { Length: > 0 }))
        {
            _checked[Invariants.Isolation]++;
            foreach (Match name in TenantName().Matches(request.Body!))
            {
                if (name.Groups["tag"].Value != request.Tenant)
                {
                    Broken(Invariants.Isolation, $"{name.Value} (of {name.Groups["tag"].Value}) in the answer to {Describe(request)}", request.SentMs);
                }
            }

            foreach (var (uid, owner) in uids)
            {
                if (owner != request.Tenant && request.Body!.Contains(uid, StringComparison.Ordinal))
                {
                    Broken(Invariants.Isolation, $"uid {uid} (of {owner}) in the answer to {Describe(request)}", request.SentMs);
                }
            }
        }
    }

    [GeneratedRegex(@"(?:Home|Lamp|Fan|Heater)-(?<tag>T\d{4})")]
    private static partial Regex TenantName();

    /// <summary>What the database holds for the tenant is what its acknowledged writes (and its schedules' firings) left.</summary>
    private void CheckWrites(TenantRecord tenant, List<RequestRecord> requests, IReadOnlyList<Firing> firings)
    {
        var user = final.Users[tenant.Uid] as JsonObject;
        _checked[Invariants.DurableWrites]++;
        if (user is null)
        {
            Broken(Invariants.DurableWrites, $"{tenant.Tenant} ({tenant.Uid}) signed up and signed in, but users/{tenant.Uid} is not in the database");
            return;
        }

        Expect(user["verifiedAccess"]?.ToJsonString() == "true", $"{tenant.Tenant}: verifiedAccess is {user["verifiedAccess"]?.ToJsonString() ?? "missing"}");
        if (requests.LastOrDefault(r => r.Kind == "save_fcm_token" && r.Acknowledged) is { } token)
        {
            _checked[Invariants.DurableWrites]++;
            Expect((string?)user["fcmToken"] == tenant.FcmToken, $"{tenant.Tenant}: fcmToken is {user["fcmToken"]?.ToJsonString() ?? "missing"} after {Describe(token)}");
        }

        var venue = user["venues"]?[tenant.Venue] as JsonObject;
        foreach (var added in requests.Where(r => r.Kind is "add_venue" or "add_device" && r.Acknowledged))
        {
            _checked[Invariants.DurableWrites]++;
            Expect(venue is not null && (added.Device is null || venue.ContainsKey(added.Device)), $"{tenant.Tenant}: missing after {Describe(added)}");
        }

        foreach (var device in tenant.Devices.Skip(1))
        {
            var writes = requests.Where(r => r.Kind == "device_state" && r.Device == device).ToList();
            var last = writes.FindLastIndex(r => r.Acknowledged);
            if (last < 0)
            {
                continue;
            }

            // The last acknowledged write, or a later one that got no answer (it may have landed).
            var allowed = writes.Skip(last).Select(r => r.Value).ToHashSet();
            var found = (string?)venue?[device];
            _checked[Invariants.DurableWrites]++;
            Expect(allowed.Contains(found), $"{tenant.Tenant}: {device} is {found ?? "missing"}, expected {string.Join(" or ", allowed)} after {Describe(writes[last])}");
        }

        // The scheduled device is written only by its schedules: it holds the action of the last occurrence that fired.
        if (firings.Where(f => f.Fired).MaxBy(f => f.Occurrence) is { } latest)
        {
            var found = (string?)venue?[tenant.Devices[0]];
            _checked[Invariants.DurableWrites]++;
            Expect(found == latest.Action, $"{tenant.Tenant}: {tenant.Devices[0]} is {found ?? "missing"}, but its last firing ({Time(latest.Occurrence)}) set {latest.Action}");
        }

        void Expect(bool condition, string evidence)
        {
            if (!condition)
            {
                Broken(Invariants.DurableWrites, evidence);
            }
        }
    }

    private void CheckDeletion(TenantRecord tenant, List<RequestRecord> requests)
    {
        if (requests.LastOrDefault(r => r.Kind == "delete_account" && r.Acknowledged) is not { } deletion)
        {
            // Asked for, never acknowledged: either outcome is right, but which one it was is worth knowing.
            _notes.Add($"{tenant.Tenant}: deletion never acknowledged ({string.Join(", ", requests.Where(r => r.Kind == "delete_account").Select(r => r.Status == 0 ? "no answer" : r.Status.ToString(CultureInfo.InvariantCulture)))}); " +
                $"at the end users/{tenant.Uid} {(final.Users.ContainsKey(tenant.Uid) ? "is still there" : "is gone")}, the Auth account {(final.AuthAccounts.Contains(tenant.Uid) ? "still exists" : "is gone")}");
            return;
        }

        _checked[Invariants.Deletions]++;
        if (final.Users.ContainsKey(tenant.Uid))
        {
            Broken(Invariants.Deletions, $"users/{tenant.Uid} still in the database after {Describe(deletion)}", deletion.DoneMs);
        }

        if (final.AuthAccounts.Contains(tenant.Uid))
        {
            Broken(Invariants.Deletions, $"the Auth account {tenant.Uid} still exists after {Describe(deletion)}", deletion.DoneMs);
        }
    }

    private string Time(long unixSeconds) =>
        $"{DateTimeOffset.FromUnixTimeSeconds(unixSeconds):HH:mm:ss} UTC (run +{(DateTimeOffset.FromUnixTimeSeconds(unixSeconds) - _started).TotalSeconds:0} s)";

    public static string Fingerprint(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..8];
}
