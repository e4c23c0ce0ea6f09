using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AuthApp.Testing;

/// <summary>
/// The one way the tests capture logs: Microsoft.Extensions.Diagnostics.Testing's <see cref="FakeLogCollector"/>
/// behind a <see cref="FakeLoggerProvider"/> (<c>logging.AddFakeLogging()</c>, or
/// <c>logging.AddProvider(new FakeLoggerProvider(collector))</c> for a collector the test holds). It keeps what the
/// configured levels let through, with its category, structured values, scopes and exception. These are the
/// questions the tests ask of it.
/// </summary>
public static class CapturedLogs
{
    /// <summary>The records at <paramref name="level"/> or above, in the order they were written.</summary>
    public static IReadOnlyList<FakeLogRecord> AtLeast(this FakeLogCollector logs, LogLevel level) =>
        [.. logs.GetSnapshot().Where(record => record.Level >= level)];

    /// <summary>
    /// Every piece of text the records carry: the message, the category and state, each structured value as its own
    /// <c>ToString()</c> renders it, each scope and the exception with its stack trace. For tests that prove a secret
    /// appears nowhere.
    /// </summary>
    public static IReadOnlyList<string> AllText(this FakeLogCollector logs) =>
    [
        .. logs.GetSnapshot().SelectMany(record => new[] { record.Message, $"{record.Category} {record.State}", record.Exception?.ToString() }
            .Concat((record.State as IEnumerable<KeyValuePair<string, object?>>)?.Select(pair => $"{pair.Key}={pair.Value}") ?? [])
            .Concat(record.Scopes.Select(scope => $"scope:{scope}"))
            .OfType<string>()),
    ];
}
