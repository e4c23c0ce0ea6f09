using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Messaging;

/// <summary>Writes each notification to the log instead of sending it (<c>Firebase:Messaging = Log</c>).</summary>
public sealed partial class LogPushSender(ILogger<LogPushSender> logger) : IPushSender
{
    public Task<PushResult> SendAsync(PushMessage message, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fingerprint = PushToken.Fingerprint(message.Token);
        LogPush(logger, message.Title, fingerprint, validateOnly);
        return Task.FromResult(PushResult.Sent($"log/{fingerprint}/{Guid.NewGuid():N}"));
    }

    [LoggerMessage(30, LogLevel.Information, "Push notification \"{Title}\" to token {TokenFingerprint} (logged, not sent; validate only: {ValidateOnly})")]
    private static partial void LogPush(ILogger logger, string title, string tokenFingerprint, bool validateOnly);
}
