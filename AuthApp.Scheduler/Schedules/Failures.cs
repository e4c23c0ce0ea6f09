using AuthApp.Firebase.Database;
using AuthApp.Redis;

namespace AuthApp.Scheduler.Schedules;

/// <summary>
/// Why an entry could not fire, in words safe for logs and the quarantine (an exception type and a database error
/// kind, never a message, which could quote data), and whether the failure is the entry's own: bad data or a write
/// the database refuses count toward quarantine; an outage of the database or Redis does not, since it says
/// nothing about the entry.
/// </summary>
internal static class Failures
{
    public static (string Reason, bool OwnFault) Classify(Exception exception) => exception switch
    {
        DatabaseException database => ($"{nameof(DatabaseException)}/{database.Kind}", database.Kind
            is DatabaseErrorKind.InvalidData or DatabaseErrorKind.PayloadTooLarge or DatabaseErrorKind.Unexpected
            or DatabaseErrorKind.ResponseTooLarge or DatabaseErrorKind.InvalidResponse),
        _ when exception.IsRedisOutage() => (exception.GetType().Name, false),
        // Any other dependency that did not answer, or not in time: its outage, not the entry's fault.
        HttpRequestException or TimeoutException or OperationCanceledException => (exception.GetType().Name, false),
        _ => (exception.GetType().Name, true),
    };
}
