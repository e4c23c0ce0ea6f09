using AuthApp.WorkQueue;

namespace AuthApp.Domain.Jobs;

/// <summary>Deletes a deleted account's data (<c>users/{uid}</c>) and its schedule-index entries. Idempotent.</summary>
public sealed record AccountCleanupJob(string Uid) : IIdempotentJob
{
    public static string JobType => "account.cleanup";

    public string IdempotencyKey => Uid;
}
