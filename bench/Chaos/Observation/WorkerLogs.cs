using System.Text.Json;
using AuthApp.Bench.Chaos.History;

namespace AuthApp.Bench.Chaos.Observation;

/// <summary>
/// Reads what the scheduler workers logged (JSON lines, see <c>ChaosSystem.ServiceEnvironment</c>): every push the
/// log sender "sent" (<c>LogPushSender</c>: title and token fingerprint), every push job the queue completed or
/// acknowledged as already done (the work queue's lines at Debug), and every batch's line about occurrences skipped by
/// the catch-up rule.
/// </summary>
public static class WorkerLogs
{
    public static IEnumerable<HistoryRecord> Read(string worker, string path)
    {
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] != '{')
            {
                continue;
            }

            HistoryRecord? record;
            try
            {
                record = Parse(worker, line);
            }
            catch (JsonException)
            {
                record = null; // a line cut short by kill -9
            }

            if (record is not null)
            {
                yield return record;
            }
        }
    }

    private static HistoryRecord? Parse(string worker, string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var category = Text(root, "Category") ?? "";
        var message = Text(root, "Message") ?? "";
        if (!root.TryGetProperty("Timestamp", out var timestamp) || !root.TryGetProperty("State", out var state))
        {
            return null;
        }

        var at = DateTimeOffset.Parse(timestamp.GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        if (category.EndsWith(".LogPushSender", StringComparison.Ordinal))
        {
            return new PushRecord(worker, at, Text(state, "Title") ?? "", Text(state, "TokenFingerprint") ?? "");
        }

        if (category.StartsWith("AuthApp.WorkQueue.", StringComparison.Ordinal) && Text(state, "JobType") == "push.send" && Text(state, "JobId") is { } jobId)
        {
            var kind = message.Contains(" completed on attempt ", StringComparison.Ordinal) ? "completed"
                : message.Contains(" already completed", StringComparison.Ordinal) ? "duplicate-acknowledged"
                : null;
            return kind is null ? null : new JobRecord(worker, at, jobId, kind);
        }

        if (message.Contains("late were skipped", StringComparison.Ordinal))
        {
            return new SkipRecord(worker, at, int.Parse(Text(state, "Count") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
                Text(state, "Schedule") ?? "", message);
        }

        return null;
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ToString() : null;
}
