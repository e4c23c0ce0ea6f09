using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AuthApp.Api.Security;
using AuthApp.Domain.Changes;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.Events;

/// <summary>
/// The live streams of this replica: one <see cref="UserEventStream"/> per user with a connection here (made with the
/// first, closed <see cref="EventStreamOptions.ResumeLinger"/> after the last), the limits on connections, and one
/// sweep a second for every connection's heartbeat and token expiry (no timer or task per connection). On shutdown
/// every stream is ended with <see cref="EndReasons.Shutdown"/>, so that clients reconnect to another replica at once.
/// </summary>
public sealed partial class UserEventHub : BackgroundService
{
    /// <summary>The name of the live streams' Meter.</summary>
    public const string TelemetryName = "AuthApp.Api.Events";

    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, UserEventStream> _streams = new(StringComparer.Ordinal);
    private readonly UserChangeFeed _feed;
    private readonly IFirebaseDatabase _database;
    private readonly AccessRecords _access;
    private readonly EventStreamOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<UserEventHub> _logger;
    private int _connections;
    private volatile bool _shuttingDown;

    public UserEventHub(
        UserChangeFeed feed,
        IFirebaseDatabase database,
        AccessRecords access,
        IOptions<EventStreamOptions> options,
        TimeProvider clock,
        IHostApplicationLifetime lifetime,
        IMeterFactory meters,
        ILogger<UserEventHub> logger)
    {
        var meter = meters.Create(TelemetryName);
        meter.CreateObservableGauge("authapp.events.connections", () => Connections, "{connection}", "Open live-event streams on this replica.");
        meter.CreateObservableGauge("authapp.events.users", () => Users, "{user}", "Users this replica follows for live events (connected, or within the resume linger).");
        _feed = feed;
        _database = database;
        _access = access;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        // Before Kestrel starts waiting for requests to finish: an open stream would otherwise hold the shutdown
        // until its timeout, and then be cut without a word.
        lifetime.ApplicationStopping.Register(EndAllForShutdown);
    }

    /// <summary>Open connections on this replica.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Users with a stream on this replica (connected, or within the linger).</summary>
    public int Users => _streams.Count;

    /// <summary>
    /// Opens a stream for a signed-in user; its events are read with <see cref="EventConnection.ReadAllAsync"/>, which
    /// detaches it when the client goes.
    /// </summary>
    internal (EventConnection? Connection, UserEventStream? Stream, ConnectRefusal Refusal) Connect(
        string uid, DateTimeOffset authTime, string? tokenHash, DateTimeOffset? expiresAt, string? lastEventId)
    {
        if (_shuttingDown)
        {
            return (null, null, ConnectRefusal.ShuttingDown);
        }

        if (Interlocked.Increment(ref _connections) > _options.MaxStreams)
        {
            Interlocked.Decrement(ref _connections);
            return (null, null, ConnectRefusal.ReplicaFull);
        }

        var connection = new EventConnection(authTime, tokenHash, expiresAt, _options.BufferedEvents);
        while (true)
        {
            if (!_streams.TryGetValue(uid, out var stream))
            {
                var candidate = new UserEventStream(uid, _options, _clock, _logger, OnAdmissionChanged);
                if (!_streams.TryAdd(uid, candidate))
                {
                    continue;
                }

                stream = candidate;
                _ = FollowAsync(stream);
            }

            if (stream.ConnectionCount >= _options.MaxStreamsPerUser)
            {
                Interlocked.Decrement(ref _connections);
                return (null, null, ConnectRefusal.TooManyForUser);
            }

            if (stream.TryAttach(connection, lastEventId))
            {
                return (connection, stream, ConnectRefusal.None);
            }

            // It closed between the lookup and the attach: it is leaving the map; make a new one.
            _streams.TryRemove(KeyValuePair.Create(uid, stream));
        }
    }

    internal void Disconnect(UserEventStream stream, EventConnection connection)
    {
        stream.Detach(connection);
        Interlocked.Decrement(ref _connections);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval, _clock);
        var lastHeartbeat = _clock.GetUtcNow();
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = _clock.GetUtcNow();
                var heartbeat = now - lastHeartbeat >= _options.HeartbeatInterval;
                lastHeartbeat = heartbeat ? now : lastHeartbeat;
                foreach (var (uid, stream) in _streams)
                {
                    stream.Sweep(now, heartbeat);
                    stream.CutIfSilent(now);
                    // Stopped by whoever closed it, which happens once: a connection that comes meanwhile finds it
                    // closed and may take it out of the map first (Connect), and must not leave it following the user.
                    if (stream.TryClose(now, _options.ResumeLinger))
                    {
                        _streams.TryRemove(KeyValuePair.Create(uid, stream));
                        stream.Stop();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var (uid, stream) in _streams)
            {
                _streams.TryRemove(KeyValuePair.Create(uid, stream));
                stream.Stop();
            }
        }
    }

    private async Task FollowAsync(UserEventStream stream)
    {
        try
        {
            await Task.Yield();
            await stream.FollowAsync(_feed, _database);
        }
        catch (Exception exception)
        {
            LogFollowFailed(_logger, exception, UserHash.Of(stream.Uid));
        }
    }

    /// <summary>The user's revocation fields changed: each connection is judged again on the record as it is now.</summary>
    private void OnAdmissionChanged(UserEventStream stream) => _ = CheckAdmissionAsync(stream);

    private async Task CheckAdmissionAsync(UserEventStream stream)
    {
        try
        {
            var record = await _access.ReadCurrentAsync(stream.Uid, stream.Stopping);
            stream.EndWhere(connection =>
                !record.Exists || !record.VerifiedAccess ? EndReasons.Deleted
                : !record.AdmitsTokenHash(connection.AuthTime, connection.TokenHash) ? EndReasons.Revoked
                : null,
                _options.ReconnectAfter);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The streams stay open until their tokens expire, at the latest; a request with the token is refused already.
            LogAdmissionUnchecked(_logger, UserHash.Of(stream.Uid), exception.GetType().Name);
        }
    }

    private void EndAllForShutdown()
    {
        _shuttingDown = true;
        foreach (var (_, stream) in _streams)
        {
            // Spread over a few seconds: the clients of a replica going down do not all land on the next one at once.
            var reconnectAfter = _options.ReconnectAfter * (0.5 + Random.Shared.NextDouble());
            stream.EndWhere(_ => EndReasons.Shutdown, reconnectAfter);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Following the live events of user {User} stopped unexpectedly")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live streams of user {User} could not be checked after a revocation ({Failure}); they end with their tokens")]
    private static partial void LogAdmissionUnchecked(ILogger logger, string user, string failure);
}

internal enum ConnectRefusal
{
    None,
    TooManyForUser,
    ReplicaFull,
    ShuttingDown,
}
