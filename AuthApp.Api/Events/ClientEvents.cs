using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Domain.Changes;

namespace AuthApp.Api.Events;

/// <summary>
/// What a client reads on <c>GET /auth/events</c>: each event's name (the SSE <c>event</c> field) and its JSON data.
/// The contract is documented in the README (<i>Live updates</i>) and the OpenAPI document; change both with it.
/// </summary>
public static class ClientEvents
{
    /// <summary>The user's venues as the profile shows them, sent first (and after a resume that cannot be served).</summary>
    public const string Sync = "sync";

    /// <summary>A device's state changed (<c>state</c> null: the device is gone).</summary>
    public const string Device = "device";

    /// <summary>A venue's fault text changed ("" when cleared).</summary>
    public const string Faults = "faults";

    /// <summary>A venue appeared or went.</summary>
    public const string Venue = "venue";

    /// <summary>A schedule fired or an occurrence was skipped.</summary>
    public const string Schedule = "schedule";

    /// <summary>Fields of the profile (<c>name</c>, <c>email</c>, <c>timeZone</c>) changed through the API.</summary>
    public const string Profile = "profile";

    /// <summary>Nothing happened; keeps proxies from closing the idle connection. Carries no data.</summary>
    public const string Heartbeat = "heartbeat";

    /// <summary>The last event of a stream, with the reason it ends and whether reconnecting makes sense.</summary>
    public const string End = "end";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    internal static string Data<T>(T payload) => JsonSerializer.Serialize(payload, Json);

    internal static SseItem<string> HeartbeatItem(TimeSpan reconnectAfter) =>
        new(string.Empty, Heartbeat) { ReconnectionInterval = reconnectAfter };

    internal static SseItem<string> Ending(string reason, TimeSpan reconnectAfter) =>
        new(Data(new StreamEnded(reason, EndReasons.MayReconnect(reason))), End) { ReconnectionInterval = reconnectAfter };
}

/// <summary>Why a stream ended (<see cref="ClientEvents.End"/>).</summary>
public static class EndReasons
{
    /// <summary>The session was signed out or revoked, or the account lost its license: sign in again.</summary>
    public const string Revoked = "revoked";

    /// <summary>The account was deleted.</summary>
    public const string Deleted = "deleted";

    /// <summary>The ID token expired: reconnect with a fresh one.</summary>
    public const string Expired = "expired";

    /// <summary>The client read too slowly and its buffer filled: reconnect (with Last-Event-ID).</summary>
    public const string SlowConsumer = "slow-consumer";

    /// <summary>This replica is shutting down: reconnect, another replica will answer.</summary>
    public const string Shutdown = "shutdown";

    public static bool MayReconnect(string reason) => reason is Expired or SlowConsumer or Shutdown;
}

public sealed record StreamEnded(string Reason, bool Reconnect);

public sealed record VenuesSynced(JsonObject Venues);

public sealed record DeviceChanged(string Venue, string Device, string? State, ChangeSource Source);

public sealed record FaultsChanged(string Venue, string Faults, ChangeSource Source);

public sealed record VenueChanged(string Venue, bool Exists, ChangeSource Source);

/// <summary><paramref name="Outcome"/>: <c>fired</c> (with the <paramref name="Action"/> it set) or <c>skipped</c>.</summary>
public sealed record ScheduleOutcome(string Venue, string Device, string Outcome, string? Action, DateTimeOffset At);
