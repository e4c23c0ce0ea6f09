using System.Net.ServerSentEvents;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Domain.Changes;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Events;

/// <summary>
/// One user's live events on this replica, shared by all of the user's connections here: it follows the user's change
/// channel (what the API and the worker announce, with who did it) and the database's stream of the user's venues
/// (everything, including what devices write directly), tells each change once, and keeps the latest events for
/// <c>Last-Event-ID</c>.
/// <para>
/// Both sources report most changes, in either order. What has been told is kept per venue (<see cref="_told"/>):
/// an announcement is told at once with its source; a change the database shows that differs from what was told waits
/// <see cref="EventStreamOptions.AttributionGrace"/> for its announcement and is then told as a direct write. Whatever
/// the order, the last thing told about a device is what the database holds.
/// </para>
/// Its state is guarded by one lock, held only to update it and to queue events (never across I/O).
/// </summary>
internal sealed partial class UserEventStream
{
    private readonly Lock _gate = new();
    private readonly List<EventConnection> _connections = [];
    private readonly Dictionary<string, Dictionary<string, string>> _told = new(StringComparer.Ordinal);
    private readonly Queue<SseItem<string>> _recent = new();
    private readonly Dictionary<string, DateTimeOffset> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly EventStreamOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Action<UserEventStream> _admissionChanged;
    private long _sequence;
    private VenueMirror? _truth;
    private ITimer? _graceTimer;
    private DateTimeOffset? _graceDue;
    private DateTimeOffset? _idleSince;
    private bool _closed;

    public UserEventStream(string uid, EventStreamOptions options, TimeProvider clock, ILogger logger, Action<UserEventStream> admissionChanged)
    {
        Uid = uid;
        _options = options;
        _clock = clock;
        _logger = logger;
        _admissionChanged = admissionChanged;
        // Idle until a connection attaches: a stream nobody attached to is closed by the sweep like any other.
        _idleSince = clock.GetUtcNow();
    }

    public string Uid { get; }

    /// <summary>This stream's instance, the first part of its event ids: a resume is served only by the instance that sent them.</summary>
    public string Instance { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    public CancellationToken Stopping => _stopping.Token;

    /// <summary>
    /// Adds <paramref name="connection"/> and queues what it needs first: the events it missed since
    /// <paramref name="lastEventId"/> when this instance still has them all, else a <see cref="ClientEvents.Sync"/> of
    /// the user's venues (as soon as the database has answered). False when the stream is closing (make another).
    /// </summary>
    public bool TryAttach(EventConnection connection, string? lastEventId)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _connections.Add(connection);
            _idleSince = null;
            if (!TryReplay(connection, lastEventId))
            {
                if (_truth is null)
                {
                    connection.AwaitsSync = true;
                }
                else
                {
                    connection.TryEnqueue(SyncItem());
                }
            }

            return true;
        }
    }

    public void Detach(EventConnection connection)
    {
        lock (_gate)
        {
            _connections.Remove(connection);
            if (_connections.Count == 0)
            {
                _idleSince = _clock.GetUtcNow();
            }
        }
    }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    /// <summary>Closes the stream if nobody has been connected for <paramref name="linger"/>; true when it did (stop it then).</summary>
    public bool TryClose(DateTimeOffset now, TimeSpan linger)
    {
        lock (_gate)
        {
            if (_closed || _connections.Count > 0 || _idleSince is not { } idle || now - idle < linger)
            {
                return false;
            }

            _closed = true;
            return true;
        }
    }

    /// <summary>Stops following the user (the caller has closed the stream). Its connections, if any, are ended first.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _closed = true;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        // Cancelled, not disposed: a revocation check may still be reading its token (a source without a timer
        // holds nothing to release).
        _stopping.Cancel();
    }

    /// <summary>The heartbeat and the tokens' expiry, from the hub's sweep.</summary>
    public void Sweep(DateTimeOffset now, bool heartbeat)
    {
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                if (connection.ExpiresAt <= now)
                {
                    connection.End(ClientEvents.Ending(EndReasons.Expired, _options.ReconnectAfter));
                }
                else if (heartbeat)
                {
                    // A client too far behind to take a heartbeat is dropped by the next real event, not by this.
                    connection.TryEnqueue(ClientEvents.HeartbeatItem(_options.ReconnectAfter));
                }
            }
        }
    }

    /// <summary>Ends every connection that <paramref name="verdict"/> gives a reason to end (<see cref="EndReasons"/>).</summary>
    public void EndWhere(Func<EventConnection, string?> verdict, TimeSpan reconnectAfter)
    {
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                if (verdict(connection) is { } reason)
                {
                    connection.End(ClientEvents.Ending(reason, reconnectAfter));
                }
            }
        }
    }

    private bool TryReplay(EventConnection connection, string? lastEventId)
    {
        var separator = lastEventId?.LastIndexOf('.') ?? -1;
        if (separator <= 0
            || !lastEventId.AsSpan(0, separator).SequenceEqual(Instance)
            || !long.TryParse(lastEventId.AsSpan(separator + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seen)
            || seen > _sequence
            || seen < _sequence - _recent.Count)
        {
            return false;
        }

        foreach (var item in _recent.Skip((int)(seen - (_sequence - _recent.Count))))
        {
            connection.TryEnqueue(item);
        }

        return true;
    }

    private SseItem<string> SyncItem()
    {
        var venues = new JsonObject();
        foreach (var (venue, view) in _told.OrderBy(venue => venue.Key, JsonShapes.KeyOrder))
        {
            var shown = new JsonObject();
            foreach (var (child, value) in view.OrderBy(child => child.Key, JsonShapes.KeyOrder))
            {
                shown[child] = value;
            }

            venues[venue] = shown;
        }

        return new SseItem<string>(ClientEvents.Data(new VenuesSynced(venues)), ClientEvents.Sync)
        {
            EventId = $"{Instance}.{_sequence}",
            ReconnectionInterval = _options.ReconnectAfter,
        };
    }

    private void Emit<T>(string type, T payload)
    {
        var item = new SseItem<string>(ClientEvents.Data(payload), type) { EventId = $"{Instance}.{++_sequence}" };
        if (_options.ResumeEvents > 0)
        {
            _recent.Enqueue(item);
            while (_recent.Count > _options.ResumeEvents)
            {
                _recent.Dequeue();
            }
        }

        foreach (var connection in _connections)
        {
            if (!connection.TryEnqueue(item) && !connection.Ended)
            {
                connection.End(ClientEvents.Ending(EndReasons.SlowConsumer, _options.ReconnectAfter));
                LogSlowConsumer(_logger, UserHash.Of(Uid), _options.BufferedEvents);
            }
        }
    }

    /// <summary>
    /// Tells the difference between what was told of <paramref name="venue"/> and <paramref name="view"/>, as
    /// <paramref name="source"/>'s doing, and remembers <paramref name="view"/> as told.
    /// </summary>
    private void Tell(string venue, Dictionary<string, string>? view, ChangeSource source)
    {
        var told = _told.GetValueOrDefault(venue);
        if (told is null && view is null)
        {
            return;
        }

        if (told is null != view is null)
        {
            Emit(ClientEvents.Venue, new VenueChanged(venue, view is not null, source));
        }

        if (view is not null)
        {
            foreach (var child in (told?.Keys ?? Enumerable.Empty<string>()).Union(view.Keys).Order(JsonShapes.KeyOrder).ToList())
            {
                var before = told?.GetValueOrDefault(child);
                var after = view.GetValueOrDefault(child);
                if (before == after)
                {
                    continue;
                }

                if (child == VenueFields.Faults)
                {
                    Emit(ClientEvents.Faults, new FaultsChanged(venue, after ?? "", source));
                }
                else
                {
                    Emit(ClientEvents.Device, new DeviceChanged(venue, child, after, source));
                }
            }

            _told[venue] = view;
        }
        else
        {
            _told.Remove(venue);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A live stream of user {User} was dropped: its client fell {Events} events behind")]
    private static partial void LogSlowConsumer(ILogger logger, string user, int events);
}
