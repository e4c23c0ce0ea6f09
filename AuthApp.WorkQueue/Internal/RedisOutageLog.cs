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

    public void Succeeded()
    {
        if (Interlocked.Exchange(ref _failures, 0) is > 0 and var failures)
        {
            LogRedisBack(logger, failures);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType}); further failures are logged at Debug until Redis answers again")]
    private static partial void LogRedisError(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Work queue: Redis call '{Operation}' failed ({ErrorType})")]
    private static partial void LogRedisErrorRepeated(ILogger logger, string operation, string errorType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Work queue: Redis answers again after {Failures} failed call(s)")]
    private static partial void LogRedisBack(ILogger logger, int failures);
}
