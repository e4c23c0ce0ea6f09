using System.Globalization;
using AuthApp.Bench.Chaos.Checking;
using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Report;

/// <summary>The run's result as Markdown: one row per fault, then the invariants, then the violations with their evidence.</summary>
public static class ResultTable
{
    private static readonly string[] Statuses = ["2xx", "4xx", "429", "503", "5xx", "none"];

    public static void Write(TextWriter output, RunStarted run, IReadOnlyCollection<HistoryRecord> history, Verdict verdict)
    {
        var requests = history.OfType<RequestRecord>().ToList();
        output.WriteLine();
        output.WriteLine($"Chaos run: seed {run.Seed}, Redis {run.Redis}, {run.DurationSeconds:0} s, {run.Tenants} tenants, started {run.At:yyyy-MM-dd HH:mm:ss} UTC; " +
            $"{requests.Count:N0} requests ({string.Join(", ", Statuses.Select(s => $"{s}: {requests.Count(r => r.Bucket == s):N0}"))}), " +
            $"{history.OfType<FiringRecord>().Count(f => f.Outcome == "fired"):N0} firings, {history.OfType<PushRecord>().Count():N0} pushes");
        output.WriteLine();
        output.WriteLine("| fault | target | start | end | requests in window | 2xx | 4xx | 429 | 503 | 5xx | no answer | recovery per kind (s) | violations in window |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in verdict.Faults)
        {
            var recovery = string.Join(", ", row.RecoverySeconds.Select(pair => $"{pair.Key} {(pair.Value is { } seconds ? seconds.ToString("0.0", CultureInfo.InvariantCulture) : "never")}"));
            output.WriteLine($"| {row.Fault.Name} | {row.Fault.Target} | {row.Fault.StartMs / 1000:0.0} s | {row.Fault.EndMs / 1000:0.0} s | {row.Requests} | " +
                string.Join(" | ", Statuses.Select(s => row.ByStatus.GetValueOrDefault(s).ToString(CultureInfo.InvariantCulture))) +
                $" | {(recovery.Length == 0 ? "-" : recovery)} | {row.Violations} |");
        }

        output.WriteLine();
        output.WriteLine("| invariant | bound | checked | broken |");
        output.WriteLine("|---|---|---|---|");
        foreach (var invariant in verdict.Invariants)
        {
            output.WriteLine($"| {invariant.Name} | {invariant.Bound} | {invariant.Checked:N0} | {(invariant.Broken == 0 ? "0" : $"**{invariant.Broken}**")} |");
        }

        output.WriteLine();
        if (verdict.Violations.Count > 0)
        {
            output.WriteLine($"{verdict.Violations.Count} violation(s):");
            foreach (var violation in verdict.Violations.Take(50))
            {
                output.WriteLine($"- [{violation.Invariant}] {violation.Evidence}");
            }

            if (verdict.Violations.Count > 50)
            {
                output.WriteLine($"- ... and {verdict.Violations.Count - 50} more (all in the history file, type violation)");
            }
        }

        foreach (var note in verdict.Notes.Take(20))
        {
            output.WriteLine($"note: {note}");
        }

        output.WriteLine(verdict.Passed ? "PASSED: every invariant held." : "FAILED: invariants broken (see above).");
    }
}
