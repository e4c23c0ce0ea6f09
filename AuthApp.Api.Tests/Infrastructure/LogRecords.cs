using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>One log event as the API wrote it.</summary>
public sealed record LogRecord(string Category, LogLevel Level, string Message, Exception? Exception);

/// <summary>Every log event of one API instance that its configured levels let through (what the log file would get).</summary>
public sealed class LogRecords : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<LogRecord> All => [.. _records];

    public IReadOnlyList<LogRecord> AtLeast(LogLevel level) => [.. _records.Where(record => record.Level >= level)];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogRecords owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._records.Enqueue(new LogRecord(category, logLevel, formatter(state, exception), exception));
    }
}
