using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Observation;

/// <summary>
/// After the workload: waits until the system has done what it owes (every occurrence asked for and acknowledged has
/// a firing or a lastNotified to show, every acknowledged account deletion has removed the user's data) or until the
/// deadline, the last occurrence plus two minutes: the checker judges whatever is still missing then.
/// </summary>
public static class Settling
{
    public static async Task WaitAsync(HistoryRecorder history, SystemObserver observer, TimeProvider clock, CancellationToken cancellationToken)
    {
        var requests = history.Records.OfType<RequestRecord>().ToList();
        var tenants = history.Records.OfType<TenantRecord>().ToDictionary(t => t.Tenant);
        var lastOccurrence = requests.Where(r => r.Occurrence is not null).Select(r => r.Occurrence!.Value).DefaultIfEmpty(clock.GetUtcNow().ToUnixTimeSeconds()).Max();
        var deadline = DateTimeOffset.FromUnixTimeSeconds(lastOccurrence).AddMinutes(2);
        var started = clock.GetUtcNow();
        while (clock.GetUtcNow() < deadline)
        {
            var owed = Owed(history, requests, tenants, observer.LatestUsers);
            if (owed == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), clock, cancellationToken);
        }

        Console.WriteLine($"Settled after {(clock.GetUtcNow() - started).TotalSeconds:0} s ({Owed(history, requests, tenants, observer.LatestUsers)} still owed)");
    }

    private static int Owed(HistoryRecorder history, List<RequestRecord> requests, Dictionary<string, TenantRecord> tenants, IReadOnlySet<string> users)
    {
        var firings = history.Records.OfType<FiringRecord>().Select(f => (f.Id, f.Occurrence)).ToHashSet();
        var notified = history.Records.OfType<NotifiedRecord>().ToList();
        var deleting = requests.Where(r => r.Kind == "delete_account").Select(r => r.Tenant).ToHashSet();
        var owed = 0;
        foreach (var set in requests.Where(r => r.Kind == "set_schedule" && r.Acknowledged && r.Occurrence is not null && !deleting.Contains(r.Tenant)))
        {
            if (tenants.TryGetValue(set.Tenant, out var tenant)
                && !firings.Contains(($"{tenant.Uid}/{set.Venue}/{set.Device}", set.Occurrence!.Value))
                && !notified.Any(n => n.Uid == tenant.Uid && n.LastNotified >= set.Occurrence))
            {
                owed++;
            }
        }

        owed += requests.Where(r => r.Kind == "delete_account" && r.Acknowledged)
            .Count(r => tenants.TryGetValue(r.Tenant, out var tenant) && users.Contains(tenant.Uid));
        return owed;
    }
}
