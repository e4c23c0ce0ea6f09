using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Workload;

/// <summary>
/// The mixed workload of a run: <see cref="ChaosOptions.Tenants"/> tenants whose starts are spread over the first
/// half of the run (so signups meet faults too), a fifth of whom delete their account at a seeded moment of the
/// second half. Everything a tenant does follows from the seed; only the timing of the answers varies.
/// </summary>
public static class TenantWorkload
{
    /// <summary>
    /// How far past the workload's end an occurrence may be asked for: the run then waits for it (see Settling). A
    /// minute, so that every tenant's first schedule (the next whole minute at least 20 s away) counts even in a 60 s
    /// run. (The 10-minute runs in bench/README.md were made with occurrences up to 15 s before the end.)
    /// </summary>
    private static readonly TimeSpan LastOccurrenceAfterEnd = TimeSpan.FromMinutes(1);

    public static IReadOnlyList<TenantPlan> Plan(ChaosOptions options)
    {
        var random = new Random(options.Seed);
        var duration = options.Duration.TotalMilliseconds;
        return [.. Enumerable.Range(0, options.Tenants).Select(_ =>
        {
            var start = TimeSpan.FromMilliseconds(random.NextDouble() * duration * 0.5);
            double? delete = random.NextDouble() < 0.2 ? duration * (0.5 + (random.NextDouble() * 0.4)) : null;
            return new TenantPlan(start, duration, duration + LastOccurrenceAfterEnd.TotalMilliseconds, delete);
        })];
    }

    public static async Task RunAsync(
        ChaosOptions options, ApiGateway api, Func<string, Task> createLicense, HistoryRecorder history, TimeProvider clock, CancellationToken stop)
    {
        var nonce = $"{options.Seed}{history.StartedAt.ToUnixTimeSeconds() % 100_000}";
        var tenants = Plan(options).Select((plan, index) => new Tenant(index + 1, options.Seed, nonce, plan, api, createLicense, history, clock));
        await Task.WhenAll(tenants.Select(tenant => Task.Run(() => tenant.RunAsync(stop), stop)));
    }
}
