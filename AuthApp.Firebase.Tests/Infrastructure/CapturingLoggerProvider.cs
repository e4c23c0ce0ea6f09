using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Tests.Infrastructure;

/// <summary>Keeps every log line at every level: message, structured values, scopes and exceptions.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _texts = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IEnumerable<string> Messages => _texts.Where(t => t.StartsWith("msg:", StringComparison.Ordinal)).Select(t => t[4..]);

    public IReadOnlyCollection<string> AllText() => _texts.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            owner._texts.Enqueue("msg:" + formatter(state, exception));
            owner._texts.Enqueue(category + " " + state);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    owner._texts.Enqueue($"{key}={value}");
                }
            }

            if (exception is not null)
            {
                owner._texts.Enqueue(exception.ToString());
            }

            owner._scopes.ForEachScope((scope, texts) => texts.Enqueue("scope:" + scope), owner._texts);
        }
    }
}
