using System.Text.Json.Serialization;

namespace AuthApp.Bench.Chaos.History;

/// <summary>
/// One line of the history file. Times are milliseconds since the run started (<see cref="RunStarted.At"/>);
/// occurrences and firings are Unix seconds, as the system stores them.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(RunStarted), "run")]
[JsonDerivedType(typeof(RequestRecord), "request")]
[JsonDerivedType(typeof(FaultRecord), "fault")]
[JsonDerivedType(typeof(FiringRecord), "firing")]
[JsonDerivedType(typeof(NotifiedRecord), "notified")]
[JsonDerivedType(typeof(PushRecord), "push")]
[JsonDerivedType(typeof(JobRecord), "job")]
[JsonDerivedType(typeof(SkipRecord), "skip")]
[JsonDerivedType(typeof(TenantRecord), "tenant")]
[JsonDerivedType(typeof(ViolationRecord), "violation")]
public abstract record HistoryRecord;

public sealed record RunStarted(DateTimeOffset At, int Seed, string Redis, double DurationSeconds, int Tenants) : HistoryRecord;

/// <summary>
/// One request and its answer as the tenant saw it. <see cref="Status"/> 0 is no HTTP answer (<see cref="Error"/>
/// says which: refused, reset, timeout). <see cref="Body"/> is the answer's body (first 4 KiB). For a schedule,
/// <see cref="Occurrence"/> is the occurrence it asked for; for a device write, <see cref="Device"/> and
/// <see cref="Value"/> say what it wrote.
/// </summary>
public sealed record RequestRecord(
    long Seq,
    string Tenant,
    string Kind,
    string Method,
    string Path,
    string Replica,
    double SentMs,
    double DoneMs,
    int Status,
    string? RetryAfter,
    string? Error,
    string? Body,
    string? Venue = null,
    string? Device = null,
    string? Value = null,
    long? Occurrence = null,
    bool FailedOver = false) : HistoryRecord
{
    public bool Acknowledged => Status is >= 200 and < 300;

    /// <summary>The answer's class as the report counts it: 2xx, 4xx, 429, 503, 5xx, or none (no HTTP answer).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Bucket => Status switch
    {
        0 => "none",
        429 => "429",
        503 => "503",
        >= 500 => "5xx",
        >= 400 => "4xx",
        _ => "2xx",
    };
}

/// <summary>A fault: what, on what, from when to when (its end: the component is back, or the link restored).</summary>
public sealed record FaultRecord(string Name, string Target, double StartMs, double EndMs, string Detail) : HistoryRecord;

/// <summary>An entry of the scheduler's audit stream (<c>authapp:schedules:fired</c>), seen by the harness's tail of it.</summary>
public sealed record FiringRecord(string Id, long Occurrence, string Outcome, string Instance, long FiredAtMs, double SeenMs, string StreamId) : HistoryRecord;

/// <summary>A <c>lastNotified</c> value the harness saw in the database (it polls every tenant's schedules).</summary>
public sealed record NotifiedRecord(string Uid, string Venue, string Device, long LastNotified, string? State, double SeenMs) : HistoryRecord;

/// <summary>A push a worker logged instead of sending it (<c>Firebase:Messaging=Log</c>).</summary>
public sealed record PushRecord(string Worker, DateTimeOffset At, string Title, string TokenFingerprint) : HistoryRecord;

/// <summary>A work-queue line about a push job: completed, or acknowledged as a duplicate without running.</summary>
public sealed record JobRecord(string Worker, DateTimeOffset At, string JobId, string Event) : HistoryRecord;

/// <summary>A worker's line about occurrences skipped by the catch-up rule (a count and the first one).</summary>
public sealed record SkipRecord(string Worker, DateTimeOffset At, int Count, string FirstSchedule, string Line) : HistoryRecord;

/// <summary>A tenant's account as the harness knows it: its uid (from the signup answer), names and FCM token.</summary>
public sealed record TenantRecord(string Tenant, string Uid, string Email, string Venue, string[] Devices, string FcmToken) : HistoryRecord;

/// <summary>A broken invariant as the checker found it, appended to the history after the verdict.</summary>
public sealed record ViolationRecord(string Invariant, string Evidence, double? AtMs) : HistoryRecord;
