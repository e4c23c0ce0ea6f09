using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace AuthApp.Firebase.Messaging;

/// <summary>Sends push notifications to a device registration token.</summary>
public interface IPushSender
{
    /// <summary>
    /// Sends (or with <paramref name="validateOnly"/>, only validates) a notification. A token FCM no
    /// longer accepts is reported as <see cref="PushOutcome.InvalidToken"/> so the caller can forget
    /// it; other failures throw <see cref="FirebaseMessagingException"/> or
    /// <see cref="FirebaseServiceUnavailableException"/>.
    /// </summary>
    Task<PushResult> SendAsync(PushMessage message, bool validateOnly = false, CancellationToken cancellationToken = default);
}

/// <summary>A notification for one device. <see cref="ToString"/> leaves the token out.</summary>
public sealed record PushMessage(string Token, string Title, string Body, IReadOnlyDictionary<string, string>? Data = null)
{
    public override string ToString() => $"PushMessage {{ Token = {PushToken.Fingerprint(Token)}, Title = {Title} }}";
}

public enum PushOutcome
{
    /// <summary>FCM accepted the message (or validated it).</summary>
    Sent,

    /// <summary>The token is unregistered or malformed: remove it.</summary>
    InvalidToken,
}

/// <summary>What became of a push: <see cref="MessageName"/> is FCM's <c>projects/.../messages/...</c> id.</summary>
public sealed record PushResult(PushOutcome Outcome, string? MessageName, string? ErrorCode)
{
    public static PushResult Sent(string? messageName) => new(PushOutcome.Sent, messageName, null);

    public static PushResult InvalidToken(string errorCode) => new(PushOutcome.InvalidToken, null, errorCode);

    public bool IsSent => Outcome == PushOutcome.Sent;
}

/// <summary>FCM refused a message for a reason other than its token (see <see cref="FirebaseException.ServerCode"/>).</summary>
public sealed class FirebaseMessagingException : FirebaseException
{
    public FirebaseMessagingException(string message, HttpStatusCode? statusCode, string? serverCode)
        : base(message, statusCode, serverCode)
    {
    }
}

internal static class PushToken
{
    /// <summary>A short, non-reversible fingerprint for log lines: the first 8 hex digits of SHA-256.</summary>
    public static string Fingerprint(string? token) =>
        string.IsNullOrEmpty(token) ? "(none)" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)))[..8];
}
