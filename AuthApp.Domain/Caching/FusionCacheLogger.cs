using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion;

namespace AuthApp.Domain.Caching;

/// <summary>
/// FusionCache's logger, with one line moved to its right level: FusionCache 2.9 logs each retry of its backplane's
/// first subscription at a fixed Error level (its options' levels do not reach it). Redis slow or away while a replica
/// starts is an outage the cache rides out and recovers from (and on a loaded machine it failed a test that allows no
/// Error line): a warning. Every other line passes as FusionCache wrote it.
/// </summary>
internal sealed class FusionCacheLogger(ILogger<FusionCache> inner) : ILogger<FusionCache>
{
    private const string SubscriptionRetry = "[BP] an error occurred while subscribing to a backplane";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        inner.Log(logLevel == LogLevel.Error && IsSubscriptionRetry(state) ? LogLevel.Warning : logLevel, eventId, state, exception, formatter);

    private static bool IsSubscriptionRetry<TState>(TState state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(value => value.Key == "{OriginalFormat}" && value.Value is string format && format.Contains(SubscriptionRetry, StringComparison.Ordinal));
}
