using System.Globalization;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>The fields of a job message on the stream (and, JSON-encoded, in the delayed set).</summary>
internal sealed record JobMessage(
    string JobId,
    string Type,
    string Payload,
    long EnqueuedAtMs,
    int Attempt,
    string? TraceParent,
    string? TraceState)
{
    public const string JobIdField = "jobId";
    public const string TypeField = "type";
    public const string PayloadField = "payload";
    public const string EnqueuedAtField = "enqueuedAt";
    public const string AttemptField = "attempt";
    public const string TraceParentField = "traceparent";
    public const string TraceStateField = "tracestate";

    public DateTimeOffset EnqueuedAt => DateTimeOffset.FromUnixTimeMilliseconds(EnqueuedAtMs);

    public NameValueEntry[] ToEntries()
    {
        var entries = new List<NameValueEntry>(7)
        {
            new(JobIdField, JobId),
            new(TypeField, Type),
            new(PayloadField, Payload),
            new(EnqueuedAtField, EnqueuedAtMs),
            new(AttemptField, Attempt),
        };
        if (TraceParent is not null)
        {
            entries.Add(new(TraceParentField, TraceParent));
        }
        if (TraceState is not null)
        {
            entries.Add(new(TraceStateField, TraceState));
        }
        return [.. entries];
    }

    /// <summary>A flat [name, value, ...] array, as the delayed set stores it for the promote script.</summary>
    public string[] ToFlatArray() =>
        [.. ToEntries().SelectMany(entry => new[] { entry.Name.ToString(), entry.Value.ToString() })];

    public static JobMessage? TryParse(StreamEntry entry)
    {
        string? jobId = null, type = null, payload = null, traceParent = null, traceState = null;
        long enqueuedAt = 0;
        var attempt = 1;
        foreach (var field in entry.Values)
        {
            switch (field.Name.ToString())
            {
                case JobIdField: jobId = field.Value; break;
                case TypeField: type = field.Value; break;
                case PayloadField: payload = field.Value; break;
                case TraceParentField: traceParent = field.Value; break;
                case TraceStateField: traceState = field.Value; break;
                case EnqueuedAtField:
                    _ = long.TryParse(field.Value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out enqueuedAt);
                    break;
                case AttemptField:
                    if (!int.TryParse(field.Value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out attempt) || attempt < 1)
                    {
                        attempt = 1;
                    }
                    break;
            }
        }
        return jobId is null || type is null || payload is null
            ? null
            : new JobMessage(jobId, type, payload, enqueuedAt, attempt, traceParent, traceState);
    }
}
