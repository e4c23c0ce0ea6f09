using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// The consumer's one record of a Redis outage, shared by its reader, processor and maintenance: the first failed call
/// is a Warning, the rest are Debug until a call succeeds, which is logged once. A consumer polls several times a
/// second; without this an outage would be a Warning per poll.
/// </summary>
internal sealed partial class RedisOutageLog(ILogger logger)
{
    // Failed Redis calls since the last success.
    private int _failures;

    // The unexpected failures already logged as a Warning, by operation and type (few: one per bug).
    private readonly ConcurrentDictionary<(string Operation, Type Type), bool> _unexpected = new();

    public void Failed(string operation, Exception exception)
    {
        if (Interlocked.Increment(ref _failures) == 1)
        {
            LogRedisError(logger, operation, exception.GetType().Name);
        }
        else
        {
            LogRedisErrorRepeated(logger, operation, exception.GetType().Name);
        }
    }

    /// <summary>
    /// A periodic task failed for a reason that is not an outage (a bug, a command a Redis Cluster refuses): the loop
    /// goes on at its next tick, since a dead loop fails silently for good. The first such failure of an operation is a
    /// Warning with the exception (its stack trace once), repeats of the same type are Debug, not an Error per tick.
    /// </summary>
    public void Unexpected(string operation, Exception exception)
    {
        if (_unexpected.TryAdd((operation, exception.GetType()), true))
        {
            LogUnexpected(logger, operation, exception.GetType().Name, exception);
        }
        else
        {
            LogUnexpectedRepeated(logger, operation, exception.GetType().Name);
        }
    }

    public void Succeeded()
    {
        if (Interlocked.Exchange(ref _failures, 0) is > 0 and var failures)
        {
            LogRedisBack(logger, failures);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work queue: '{Operation}' failed unexpectedly ({ErrorType}); it goes on at its next tick, and repeats are logged at Debug")]
    private static partial void LogUnexpected(ILogger logger, string operation, string errorType, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Work queue: '{Operation}' failed unexpectedly again ({ErrorType})")]
    private static partial void LogUnexpectedRepeated(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType}); further failures are logged at Debug until Redis answers again")]
    private static partial void LogRedisError(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType})")]
    private static partial void LogRedisErrorRepeated(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work queue: Redis answers again after {Failures} failed call(s)")]
    private static partial void LogRedisBack(ILogger logger, int failures);
}
