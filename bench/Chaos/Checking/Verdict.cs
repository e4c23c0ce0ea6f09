using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Checking;

/// <summary>The invariants the checker judges, with the bound each one holds the system to.</summary>
public static class Invariants
{
    public const string DurableWrites = "acknowledged writes are in the database";
    public const string FireOnce = "due schedules fire exactly once (or are skipped, logged)";
    public const string NoDuplicatePush = "no push sent twice";
    public const string No500 = "no 500 (no 5xx but 503)";
    public const string Unavailable = "503 only in a fault window, with Retry-After";
    public const string NoAnswer = "no answer only in a fault window";
    public const string Recovery = "recovery after each fault is bounded";
    public const string Isolation = "no tenant sees another's data";
    public const string Deletions = "deleted accounts are gone";

    public static readonly string[] All = [DurableWrites, FireOnce, NoDuplicatePush, No500, Unavailable, NoAnswer, Recovery, Isolation, Deletions];
}

/// <summary>A broken invariant, with its evidence (the request, the time, what was expected and found).</summary>
public sealed record Violation(string Invariant, string Evidence, double? AtMs = null);

/// <summary>One fault's row: the requests in its window, their answers by status, recovery per kind of request.</summary>
public sealed record FaultReport(FaultRecord Fault, int Requests, IReadOnlyDictionary<string, int> ByStatus, IReadOnlyDictionary<string, double?> RecoverySeconds, int Violations);

public sealed record InvariantSummary(string Name, string Bound, int Checked, int Broken);

public sealed record Verdict(
    IReadOnlyList<FaultReport> Faults, IReadOnlyList<InvariantSummary> Invariants, IReadOnlyList<Violation> Violations, IReadOnlyList<string> Notes)
{
    public bool Passed => Violations.Count == 0;
}
