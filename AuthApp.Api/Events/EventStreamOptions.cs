using System.ComponentModel.DataAnnotations;
using AuthApp.Domain.Users;
using AuthApp.OptionsValidation;

namespace AuthApp.Api.Events;

/// <summary>The live streams of <c>GET /auth/events</c> (section <c>Events</c>).</summary>
public sealed class EventStreamOptions
{
    public const string SectionName = "Events";

    /// <summary>
    /// How often an idle stream gets a heartbeat: often enough that proxies and load balancers (nginx's
    /// <c>proxy_read_timeout</c> is 60 s by default) never see an idle connection, rarely enough to cost nothing.
    /// </summary>
    [TimeSpanRange("00:00:01", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Events one connection may have waiting to be written. A client that falls this far behind is dropped with
    /// reason <c>slow-consumer</c> (and resumes or resyncs when it reconnects): its memory never grows past this.
    /// </summary>
    [Range(4, 4096)]
    public int BufferedEvents { get; set; } = 64;

    /// <summary>
    /// How many of a user's latest events a replica keeps for <c>Last-Event-ID</c>: a reconnection that missed at most
    /// this many gets them again; one that missed more (or comes to another replica) gets a <c>sync</c> instead.
    /// </summary>
    [Range(0, 10_000)]
    public int ResumeEvents { get; set; } = 100;

    /// <summary>
    /// How long a user's subscriptions (their change channel, the database stream) outlive their last connection on
    /// the replica, so that a client reconnecting after a network blip resumes rather than resyncs. 0 closes them
    /// with the last connection.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:10:00")]
    public TimeSpan ResumeLinger { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a change seen in the database waits for the API's or the worker's announcement of it before it is
    /// reported as a direct write. The database's stream and Redis race: an announced change usually arrives first,
    /// but not always. Only direct writes wait this long.
    /// </summary>
    [TimeSpanRange("00:00:00", "00:00:05")]
    public TimeSpan AttributionGrace { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Concurrent streams one user may hold on one replica; one more is a 429.</summary>
    [Range(1, 100)]
    public int MaxStreamsPerUser { get; set; } = 8;

    /// <summary>Concurrent streams one replica holds; one more is a 503 that sends the client to another replica.</summary>
    [Range(1, 1_000_000)]
    public int MaxStreams { get; set; } = 20_000;

    /// <summary>The reconnection delay every stream suggests to its client (SSE <c>retry</c>).</summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan ReconnectAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The most a user's venues may take (one event of the database's stream) to be followed live.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxVenuesBytes { get; set; } = UserDataLimits.MaxSubtreeBytes;

    /// <summary>The first and the longest wait before the database's stream of a user is opened again after a failure.</summary>
    [TimeSpanRange("00:00:00.100", "00:01:00")]
    public TimeSpan UpstreamRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan MaxUpstreamRetryDelay { get; set; } = TimeSpan.FromSeconds(60);
}
