using AuthApp.WorkQueue;

namespace AuthApp.Domain.Jobs;

/// <summary>
/// Sends a push notification to the user's current FCM token (read when the job runs, never carried in
/// the payload). <paramref name="IdempotencyKey"/> makes a re-enqueue of the same notification (e.g. by a
/// scheduler replica recovering a half-fired occurrence) a no-op once the first one completed.
/// </summary>
public sealed record SendPushJob(string Uid, string Title, string Body, string IdempotencyKey) : IIdempotentJob
{
    public static string JobType => "push.send";

    /// <summary>A one-off notification that may legitimately be sent again later.</summary>
    public static SendPushJob Once(string uid, string title, string body) =>
        new(uid, title, body, $"{uid}:{Guid.CreateVersion7():N}");
}
