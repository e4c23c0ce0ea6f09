namespace AuthApp.Api.Errors;

/// <summary>
/// For operations that write in two places (the database, then Redis): when the second step fails, the first is
/// put back and the client is told nothing changed, so that a retry starts from the same state.
/// </summary>
public static partial class Undo
{
    /// <summary>Runs <paramref name="undo"/>; a failure is logged, not thrown (the operation already failed, and says so).</summary>
    public static async Task BestEffortAsync(ILogger logger, string operation, Func<Task> undo)
    {
        try
        {
            await undo();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogUndoFailed(logger, operation, exception.GetType().Name);
        }
    }

    /// <summary>503: <paramref name="whatDidNotHappen"/>, because a dependency failed; try again shortly.</summary>
    public static AppError Unavailable(string whatDidNotHappen) =>
        AppError.Unavailable($"{whatDidNotHappen}: a service it needs is unavailable; try again shortly.", TimeSpan.FromSeconds(5));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Undoing a failed {Operation} failed too ({ErrorType}); the stored state may differ until the index self-heals")]
    private static partial void LogUndoFailed(ILogger logger, string operation, string errorType);
}
