using System.Text.Json.Nodes;
using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Checking;

/// <summary>
/// <c>--self-test</c>: the checker must be able to fail. A fabricated run in which everything held must pass; each
/// variant of it breaks one invariant (a lost write, a missed or doubled firing, a doubled push, a 500, a 503 outside
/// any fault or without Retry-After, a lost answer outside any fault, a slow recovery, another tenant's name in an
/// answer, a deleted account still there) and must fail with exactly that invariant among the broken ones.
/// </summary>
public static class CheckerSelfTest
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private const string Uid = "uid-one";
    private const string OtherUid = "uid-two";
    private static readonly long Occurrence = Start.AddMinutes(2).ToUnixTimeSeconds();

    public static int Run(TextWriter output)
    {
        var cases = new (string Name, string? Expected, Func<List<HistoryRecord>, JsonObject, JsonObject> Break)[]
        {
            ("everything held", null, (_, users) => users),
            ("an acknowledged device write is lost", Invariants.DurableWrites, (_, users) => Set(users, "venues/Home-T0001/Fan-T0001", "off")),
            ("a firing left no device state", Invariants.DurableWrites, (_, users) => Set(users, "venues/Home-T0001/Lamp-T0001", "off")),
            ("a due schedule never fired", Invariants.FireOnce, (history, users) =>
            {
                history.RemoveAll(r => r is FiringRecord or NotifiedRecord or PushRecord or JobRecord);
                return Set(Set(users, "schedules/Home-T0001/Lamp-T0001/lastNotified", null), "venues/Home-T0001/Lamp-T0001", "off");
            }),
            ("a schedule fired twice", Invariants.FireOnce, (history, users) =>
            {
                history.Add(new FiringRecord($"{Uid}/Home-T0001/Lamp-T0001", Occurrence, "fired", "worker-2", (Occurrence + 40) * 1000, 170_000, "2-0"));
                return users;
            }),
            ("a push was sent twice", Invariants.NoDuplicatePush, (history, users) =>
            {
                history.Add(new PushRecord("scheduler-2", Start.AddSeconds(125), Checker.ScheduleCompleted, Checker.Fingerprint("fcm-T0001")));
                history.Add(new JobRecord("scheduler-2", Start.AddSeconds(125), $"push.send:schedule:{Uid}/Home-T0001/Lamp-T0001:{Occurrence}", "completed"));
                return users;
            }),
            ("an answer was 500", Invariants.No500, (history, users) => Add(history, Request(500, 200_000, "profile"), users)),
            ("a 503 came outside any fault", Invariants.Unavailable, (history, users) => Add(history, Request(503, 200_000, "profile", retryAfter: "5"), users)),
            ("a 503 came without Retry-After", Invariants.Unavailable, (history, users) => Add(history, Request(503, 42_000, "profile"), users)),
            ("a request got no answer outside any fault", Invariants.NoAnswer, (history, users) => Add(history, Request(0, 200_000, "profile"), users)),
            ("recovery took longer than the bound", Invariants.Recovery, (history, users) =>
            {
                history.RemoveAll(r => r is RequestRecord { Kind: "device_state", SentMs: > 50_000 and < 100_000 });
                for (var sent = 51_000; sent < 95_000; sent += 2_000)
                {
                    history.Add(Request(503, sent, "device_state", retryAfter: "5"));
                }

                history.Add(Request(200, 95_000, "device_state", device: "Heater-T0001", value: "2"));
                return users;
            }),
            ("another tenant's venue in an answer", Invariants.Isolation, (history, users) =>
                Add(history, Request(200, 150_000, "profile", body: """{"uid":"uid-one","venues":{"Home-T0002":{}}}"""), users)),
            ("another tenant's uid in an answer", Invariants.Isolation, (history, users) =>
                Add(history, Request(200, 150_000, "profile", body: $$"""{"uid":"{{OtherUid}}"}"""), users)),
            ("a deleted account is still there", Invariants.Deletions, (_, users) =>
            {
                users[OtherUid] = new JsonObject { ["verifiedAccess"] = true };
                return users;
            }),
        };

        var failures = 0;
        output.WriteLine("| fabricated run | expected | broken invariants | result |");
        output.WriteLine("|---|---|---|---|");
        foreach (var (name, expected, breakIt) in cases)
        {
            var (history, users) = CleanRun();
            users = breakIt(history, users);
            var verdict = new Checker(history, new FinalState(users, new HashSet<string> { Uid }, []), CheckerBounds.Default).Judge();
            var broken = verdict.Violations.Select(v => v.Invariant).Distinct().ToList();
            var ok = expected is null ? verdict.Passed : broken.Contains(expected);
            failures += ok ? 0 : 1;
            output.WriteLine($"| {name} | {expected ?? "(passes)"} | {(broken.Count == 0 ? "-" : string.Join("; ", broken))} | {(ok ? "ok" : "WRONG")} |");
            if (!ok)
            {
                foreach (var violation in verdict.Violations)
                {
                    output.WriteLine($"    {violation.Invariant}: {violation.Evidence}");
                }
            }
        }

        output.WriteLine(failures == 0 ? "Self-test passed: the checker fails every broken run and passes the clean one." : $"Self-test FAILED: {failures} case(s) judged wrongly.");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Tenant T0001 signs up, adds a venue and three devices, switches its fan on, schedules its lamp for 12:02 (which
    /// fires once, with one push), survives an Auth outage (a 503 with Retry-After inside it); tenant T0002 deletes
    /// its account. The final state matches.
    /// </summary>
    private static (List<HistoryRecord> History, JsonObject Users) CleanRun()
    {
        var history = new List<HistoryRecord>
        {
            new RunStarted(Start, 1, "single", 180, 2),
            new TenantRecord("T0001", Uid, "one@example.com", "Home-T0001", ["Lamp-T0001", "Fan-T0001", "Heater-T0001"], "fcm-T0001"),
            new TenantRecord("T0002", OtherUid, "two@example.com", "Home-T0002", ["Lamp-T0002", "Fan-T0002", "Heater-T0002"], "fcm-T0002"),
            Request(200, 1_000, "signup", body: $$"""{"uid":"{{Uid}}"}"""),
            Request(200, 2_000, "save_fcm_token"),
            Request(200, 3_000, "add_venue", venue: "Home-T0001"),
            Request(200, 4_000, "add_device", device: "Lamp-T0001", value: "off"),
            Request(200, 5_000, "add_device", device: "Fan-T0001", value: "off"),
            Request(200, 6_000, "add_device", device: "Heater-T0001", value: "off"),
            Request(200, 10_000, "device_state", device: "Fan-T0001", value: "on"),
            Request(200, 20_000, "set_schedule", device: "Lamp-T0001", value: "3", occurrence: Occurrence),
            new FaultRecord("auth-down", "auth link", 40_000, 50_000, "fabricated"),
            Request(503, 41_000, "profile", retryAfter: "5"),
            Request(200, 52_000, "profile", body: """{"uid":"uid-one","venues":{"Home-T0001":{"Fan-T0001":"on"}}}"""),
            Request(200, 53_000, "device_state", device: "Heater-T0001", value: "2"),
            new FiringRecord($"{Uid}/Home-T0001/Lamp-T0001", Occurrence, "fired", "worker-1", (Occurrence * 1000) + 300, 121_000, "1-0"),
            new NotifiedRecord(Uid, "Home-T0001", "Lamp-T0001", Occurrence, "3", 122_000),
            new PushRecord("scheduler-1", Start.AddSeconds(121), Checker.ScheduleCompleted, Checker.Fingerprint("fcm-T0001")),
            new JobRecord("scheduler-1", Start.AddSeconds(121), $"push.send:schedule:{Uid}/Home-T0001/Lamp-T0001:{Occurrence}", "completed"),
            Request(200, 130_000, "delete_account", tenant: "T0002"),
        };
        var users = new JsonObject
        {
            [Uid] = new JsonObject
            {
                ["verifiedAccess"] = true,
                ["fcmToken"] = "fcm-T0001",
                ["venues"] = new JsonObject { ["Home-T0001"] = new JsonObject { ["__created"] = true, ["Lamp-T0001"] = "3", ["Fan-T0001"] = "on", ["Heater-T0001"] = "2" } },
                ["schedules"] = new JsonObject { ["Home-T0001"] = new JsonObject { ["Lamp-T0001"] = new JsonObject { ["time"] = "12:02", ["action"] = "3", ["lastNotified"] = Occurrence } } },
            },
        };
        return (history, users);
    }

    private static long _sequence;

    private static RequestRecord Request(
        int status, double sentMs, string kind, string tenant = "T0001", string? retryAfter = null, string? body = null,
        string? venue = null, string? device = null, string? value = null, long? occurrence = null) =>
        new(Interlocked.Increment(ref _sequence), tenant, kind, "POST", $"/auth/{kind}", "api-1", sentMs, sentMs + 50, status, retryAfter,
            status == 0 ? "no answer" : null, body, venue ?? (device is null ? null : "Home-T0001"), device, value, occurrence);

    private static JsonObject Add(List<HistoryRecord> history, RequestRecord request, JsonObject users)
    {
        history.Add(request);
        return users;
    }

    /// <summary>Sets (or, with null, removes) a path under the one user's record.</summary>
    private static JsonObject Set(JsonObject users, string path, string? value)
    {
        var parts = path.Split('/');
        var node = users[Uid]!.AsObject();
        foreach (var part in parts[..^1])
        {
            node = node[part]!.AsObject();
        }

        if (value is null)
        {
            node.Remove(parts[^1]);
        }
        else
        {
            node[parts[^1]] = value;
        }

        return users;
    }
}
