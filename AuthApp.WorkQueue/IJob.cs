namespace AuthApp.WorkQueue;

/// <summary>
/// A unit of background work: a record serialized with System.Text.Json. <see cref="JobType"/> is the
/// stable wire name the consumer dispatches on; never rename it while messages of that type may be queued.
/// </summary>
public interface IJob
{
    static abstract string JobType { get; }
}

/// <summary>
/// A job that carries its own idempotency key: two enqueues with the same key (within the completion
/// marker's time to live) run the handler at most once after the first one completed.
/// </summary>
public interface IIdempotentJob : IJob
{
    string IdempotencyKey { get; }
}
