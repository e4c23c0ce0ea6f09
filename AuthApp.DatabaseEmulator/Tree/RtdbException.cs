using System.Net;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>An error the emulator answers the way the Realtime Database does: <c>{"error": message}</c>.</summary>
internal sealed class RtdbException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public static RtdbException BadData(string message = "Invalid data; couldn't parse JSON object, array, or value.") =>
        new(HttpStatusCode.BadRequest, message);
}
