using System.Net;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>An error the emulator answers the way the Realtime Database does: <c>{"error": message}</c>.</summary>
internal sealed class RtdbException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Why, for the emulator's debug log only (e.g. which rule denied); never sent to the client.</summary>
    public string? LogDetail { get; init; }

    public static RtdbException BadData(string message = "Invalid data; couldn't parse JSON object, array, or value.") =>
        new(HttpStatusCode.BadRequest, message);
}
