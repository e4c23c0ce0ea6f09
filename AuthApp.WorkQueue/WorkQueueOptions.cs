using System.ComponentModel.DataAnnotations;
using AuthApp.OptionsValidation;

namespace AuthApp.WorkQueue;

/// <summary>The <c>WorkQueue</c> configuration section. Shared by producer and consumer.</summary>
public sealed class WorkQueueOptions
{
    public const string SectionName = "WorkQueue";

    /// <summary>
    /// The stream jobs are appended to. Derived keys share its hash slot (see <see cref="KeyPrefix"/>). Braces must form
    /// a Redis Cluster hash tag (<c>x{tag}y</c>): anything else would make the derived keys land in other slots.
    /// </summary>
    [Required, RegularExpression(@"^[A-Za-z0-9:_\-\.]*(\{[A-Za-z0-9:_\-\.]+\}[A-Za-z0-9:_\-\.\{\}]*)?$"), StringLength(100, MinimumLength = 1)]
    public string StreamName { get; set; } = "authapp:jobs";

    [Required, RegularExpression(@"^[A-Za-z0-9:_\-\.]{1,100}$")]
    public string ConsumerGroup { get; set; } = "authapp-workers";

    /// <summary>Unique per replica; leave empty to generate one (machine, process and a random part).</summary>
    [RegularExpression(@"^[A-Za-z0-9:_\-\.]{0,100}$")]
    public string? ConsumerName { get; set; }

    [Range(1_000, 100_000_000)]
    public long DeadLetterMaxLength { get; set; } = 100_000;

    /// <summary>How many handlers run at once in one replica.</summary>
    [Range(1, 256)]
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Longest wait between reads when the queue is idle (a producer's notification wakes the reader sooner).</summary>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Handler runs (first run included) before a failing job is dead-lettered.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Deliveries of one message (crash redeliveries included) before it is dead-lettered as a crash loop.</summary>
    [Range(1, 1000)]
    public int MaxDeliveries { get; set; } = 10;

    /// <summary>Back-off before retry n is RetryBaseDelay × 2^(n-1), capped at RetryMaxDelay, with jitter (50-100 %).</summary>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    [TimeSpanRange("00:00:00.001", "1.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often due retries are moved from the delayed set back to the stream.</summary>
    [TimeSpanRange("00:00:00.010", "00:01:00")]
    public TimeSpan DelayedPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A message pending this long without its owner renewing it is reclaimed (XAUTOCLAIM) by another replica.</summary>
    [TimeSpanRange("00:00:00.100", "01:00:00")]
    public TimeSpan ClaimMinIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan ClaimInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a completed job's marker is kept, and an idempotent job's "accepted" marker from its enqueue
    /// (duplicate suppression window).
    /// </summary>
    [TimeSpanRange("00:00:01", "30.00:00:00")]
    public TimeSpan CompletionMarkerTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Readiness fails when no read cycle succeeded for this many poll intervals.</summary>
    [Range(2, 1000)]
    public int StalledAfterPolls { get; set; } = 10;

    /// <summary>Queue depth gauges are refreshed from Redis at most this often.</summary>
    [TimeSpanRange("00:00:00.100", "00:10:00")]
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The prefix of every derived key: a Redis Cluster hashes only the text between a key's first <c>{</c> and the next
    /// <c>}</c> (when not empty), so <c>{authapp:jobs}:delayed</c> lands in the slot of the stream <c>authapp:jobs</c>, and
    /// every script may touch the stream and its derived keys together (a script's keys must share one slot). The
    /// stream keeps its plain name, so the pending jobs of an existing deployment are still read. A name that has a
    /// hash tag already (<c>{jobs}</c>, <c>app:{jobs}</c>) is its own prefix: wrapping it would hash something else.
    /// </summary>
    internal string KeyPrefix => StreamName.Contains('{') ? StreamName : "{" + StreamName + "}";

    internal string DelayedKey => KeyPrefix + ":delayed";
    internal string DeadLetterKey => KeyPrefix + ":dead";
    internal string NotifyChannel => StreamName + ":notify";
    internal string DoneKey(string jobId) => KeyPrefix + ":done:" + jobId;
    internal string AcceptedKey(string jobId) => KeyPrefix + ":accepted:" + jobId;

    /// <summary>
    /// The delayed set's name before keys were tagged for Redis Cluster (<c>StreamName:delayed</c>); retries an older
    /// replica scheduled there are moved over (<see cref="Internal.QueueMaintenance"/>), so an upgrade loses none.
    /// The same as <see cref="DelayedKey"/> when the stream name has a hash tag.
    /// </summary>
    internal string LegacyDelayedKey => StreamName + ":delayed";
}
