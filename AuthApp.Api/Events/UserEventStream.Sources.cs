using System.Text.Json.Nodes;
using AuthApp.Domain.Changes;
using AuthApp.Domain.Schedules;
using AuthApp.Domain.Users;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Events;

/// <summary>The two sources of a user's events: the change channel's notices and the database's stream.</summary>
internal sealed partial class UserEventStream
{
    /// <summary>
    /// Follows the user until <see cref="Stop"/>: subscribes to the change channel, then streams the venues from the
    /// database, opening the stream again after each failure (with growing pauses). One user's data failing to stream
    /// (too large, unreadable) costs that user their direct-write events, nobody else anything. The subscription comes
    /// first, so that a client's <c>sync</c> means announcements are heard; with Redis away the database stream opens
    /// all the same (every change then told as direct) and the subscription is tried again beside it.
    /// </summary>
    public async Task FollowAsync(UserChangeFeed feed, IFirebaseDatabase database)
    {
        var stopping = Stopping;
        var subscribing = await TrySubscribeAsync(feed) is { } subscribed
            ? Task.FromResult<IAsyncDisposable?>(subscribed)
            : KeepSubscribingAsync(feed, stopping);
        try
        {
            await ListenAsync(database, stopping);
        }
        finally
        {
            if (await subscribing is { } subscription)
            {
                await subscription.DisposeAsync();
            }
        }
    }

    private async Task<IAsyncDisposable?> TrySubscribeAsync(UserChangeFeed feed)
    {
        try
        {
            return await feed.SubscribeAsync(Uid, OnNotice);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogNotSubscribed(_logger, UserHash.Of(Uid), exception.GetType().Name);
            return null;
        }
    }

    private async Task<IAsyncDisposable?> KeepSubscribingAsync(UserChangeFeed feed, CancellationToken stopping)
    {
        var delay = _options.UpstreamRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            await PauseAsync(delay, stopping);
            if (!stopping.IsCancellationRequested && await TrySubscribeAsync(feed) is { } subscription)
            {
                return subscription;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxUpstreamRetryDelay.Ticks));
        }

        return null;
    }

    private async Task ListenAsync(IFirebaseDatabase database, CancellationToken stopping)
    {
        var delay = _options.UpstreamRetryDelay;
        while (!stopping.IsCancellationRequested)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            try
            {
                Heard();
                Volatile.Write(ref _attempt, attempt);
                await foreach (var change in database.ListenAsync(UserPaths.Venues(Uid), _options.MaxVenuesBytes, attempt.Token))
                {
                    OnDatabaseChange(change);
                    delay = _options.UpstreamRetryDelay;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (attempt.IsCancellationRequested)
            {
                LogUpstreamSilent(_logger, UserHash.Of(Uid), UpstreamSilence);
            }
            catch (Exception exception) when (exception is MirrorTooLargeException or DatabaseException { Kind: DatabaseErrorKind.ResponseTooLarge })
            {
                LogTooLarge(_logger, UserHash.Of(Uid));
                ForgetDatabase();
                delay = _options.MaxUpstreamRetryDelay;
            }
            catch (Exception exception)
            {
                LogUpstreamFailed(_logger, UserHash.Of(Uid), exception.GetType().Name, exception.Message);
            }
            finally
            {
                Volatile.Write(ref _attempt, null);
            }

            await PauseAsync(delay, stopping);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxUpstreamRetryDelay.Ticks));
        }
    }

    /// <summary>
    /// The database sends a keep-alive every 30 s on an idle stream. A connection silent for three of them is dead
    /// without having been closed (a NAT or a load balancer dropped it): it is cut and opened again.
    /// </summary>
    internal static readonly TimeSpan UpstreamSilence = TimeSpan.FromSeconds(90);

    private CancellationTokenSource? _attempt;
    private long _lastHeardTicks;

    private void Heard() => Volatile.Write(ref _lastHeardTicks, _clock.GetUtcNow().UtcTicks);

    /// <summary>Cuts the database stream if it has been silent past <see cref="UpstreamSilence"/> (from the hub's sweep).</summary>
    public void CutIfSilent(DateTimeOffset now)
    {
        if (Volatile.Read(ref _attempt) is { } attempt && now.UtcTicks - Volatile.Read(ref _lastHeardTicks) > UpstreamSilence.Ticks)
        {
            try
            {
                attempt.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The attempt ended on its own meanwhile.
            }
        }
    }

    private async Task PauseAsync(TimeSpan delay, CancellationToken stopping)
    {
        // Jitter: after a database outage, the streams of every user do not all come back in the same instant.
        var jittered = delay * (0.5 + Random.Shared.NextDouble() / 2);
        try
        {
            await Task.Delay(jittered, _clock, stopping);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A notice from the change channel: told at once, as its source's doing.</summary>
    internal void OnNotice(ChangeNotice notice)
    {
        var admissionChanged = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                admissionChanged = Interpret(notice);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // The notice came from Redis: whatever is in it, it fails this notice alone.
                LogNoticeFailed(_logger, UserHash.Of(Uid), exception.GetType().Name);
            }
        }

        if (admissionChanged)
        {
            _admissionChanged(this);
        }
    }

    private bool Interpret(ChangeNotice notice)
    {
        // A record written whole may have changed anything, its revocation fields too.
        var admissionChanged = notice.Writes.Any(write => write.Path.Trim('/').Length == 0);
        JsonObject? profile = null;
        foreach (var write in Expand(notice.Writes))
        {
            var segments = write.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
            switch (segments)
            {
                case []:
                    // The whole record removed: the account is gone.
                    EndWhere(_ => EndReasons.Deleted, _options.ReconnectAfter);
                    return false;
                case [UserFields.Venues, .. var rest]:
                    TellAnnounced(rest, write.Value, notice.Source);
                    break;
                case [UserFields.Schedules, var venue, var device, ScheduleFields.LastNotified] when notice.Source == ChangeSource.Schedule:
                    if (JsonShapes.Integer(write.Value) is { } seconds && seconds is >= 0 and <= 253_402_300_799)
                    {
                        var action = notice.Writes.FirstOrDefault(other => other.Path == string.Join('/', UserFields.Venues, venue, device))?.Value;
                        Emit(ClientEvents.Schedule, new ScheduleOutcome(venue, device, "fired", VenueData.State(device, action), DateTimeOffset.FromUnixTimeSeconds(seconds)));
                    }

                    break;
                case [UserFields.Name or UserFields.Email or UserFields.TimeZone]:
                    profile ??= [];
                    profile[segments[0]] = JsonShapes.Text(write.Value, UserDataLimits.MaxEmailLength) is { HasValue: true, Value: var text } ? text : null;
                    break;
                case [UserFields.VerifiedAccess or UserFields.RevokedBefore or UserFields.RevokedTokens, ..]:
                    admissionChanged = true;
                    break;
            }
        }

        if (profile is not null)
        {
            Emit(ClientEvents.Profile, profile);
        }

        foreach (var skipped in notice.Skipped ?? [])
        {
            Emit(ClientEvents.Schedule, new ScheduleOutcome(skipped.Venue, skipped.Device, "skipped", null, skipped.Occurrence));
        }

        return admissionChanged;
    }

    /// <summary>A write of the whole record, as writes of each of its fields (a sign-up, an import).</summary>
    private static IEnumerable<WrittenValue> Expand(IEnumerable<WrittenValue> writes) =>
        writes.SelectMany(write => write.Path.Trim('/').Length == 0 && JsonShapes.AsObject(write.Value) is { } record
            ? record.Select(field => new WrittenValue(field.Key, field.Value))
            : [write]);

    /// <summary>What the API or the worker wrote at <c>venues/</c>+<paramref name="path"/>, told as theirs.</summary>
    private void TellAnnounced(string[] path, JsonNode? value, ChangeSource source)
    {
        switch (path)
        {
            case []:
                var venues = JsonShapes.AsObject(value) ?? [];
                foreach (var venue in _told.Keys.Union(venues.Select(venue => venue.Key)).ToList())
                {
                    TellAndCheck(venue, VenueView.Of(venues[venue]), source);
                }

                break;
            case [var venue]:
                TellAndCheck(venue, VenueView.Of(value), source);
                break;
            case [var venue, var child]:
                var view = _told.TryGetValue(venue, out var told) ? new Dictionary<string, string>(told, StringComparer.Ordinal) : null;
                if (value is not null)
                {
                    view ??= new(StringComparer.Ordinal);
                }

                if (view is not null && child != VenueFields.Created)
                {
                    if (VenueView.Child(child, value) is { } shown)
                    {
                        view[child] = shown;
                    }
                    else
                    {
                        view.Remove(child);
                    }
                }

                TellAndCheck(venue, view, source);
                break;
        }
    }

    private void TellAndCheck(string venue, Dictionary<string, string>? view, ChangeSource source)
    {
        Tell(venue, view, source);
        if (_truth is not null)
        {
            // The database has the last word: if it already holds something else (a device wrote after the API), that is told next.
            MarkPending([venue]);
        }
    }

    /// <summary>An event of the database's stream of the user's venues.</summary>
    internal void OnDatabaseChange(DatabaseStreamEvent change)
    {
        Heard();
        if (change.Kind == DatabaseStreamEventKind.KeepAlive)
        {
            return;
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            var affected = new HashSet<string>(StringComparer.Ordinal);
            if (_truth is null)
            {
                _truth = new VenueMirror();
                _truth.Apply(change, affected);
                // What was not announced before the database first answered is where the user starts: not news.
                foreach (var venue in _truth.Names.Where(venue => !_told.ContainsKey(venue)))
                {
                    if (VenueView.Of(_truth[venue]) is { } view)
                    {
                        _told[venue] = view;
                    }
                }

                MarkPending(_told.Keys.ToList());
                foreach (var connection in _connections.Where(connection => connection.AwaitsSync))
                {
                    connection.AwaitsSync = false;
                    connection.TryEnqueue(SyncItem());
                }

                return;
            }

            _truth.Apply(change, affected);
            MarkPending(affected);
        }
    }

    /// <summary>The mirror was given up: the next answer of the database starts it again.</summary>
    private void ForgetDatabase()
    {
        lock (_gate)
        {
            _truth = null;
            _pending.Clear();
        }
    }

    private void MarkPending(IEnumerable<string> venues)
    {
        var due = _clock.GetUtcNow() + _options.AttributionGrace;
        foreach (var venue in venues)
        {
            _pending.TryAdd(venue, due);
        }

        if (_pending.Count > 0 && (_graceDue is null || due < _graceDue))
        {
            Arm(due);
        }
    }

    private void Arm(DateTimeOffset due)
    {
        _graceDue = due;
        var delay = due - _clock.GetUtcNow();
        delay = delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
        if (_graceTimer is null)
        {
            _graceTimer = _clock.CreateTimer(static state => ((UserEventStream)state!).FlushPending(), this, delay, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _graceTimer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>What the database shows and nobody announced within the grace: told as direct writes.</summary>
    private void FlushPending()
    {
        lock (_gate)
        {
            _graceDue = null;
            if (_closed || _truth is null)
            {
                return;
            }

            var now = _clock.GetUtcNow();
            foreach (var (venue, _) in _pending.Where(pending => pending.Value <= now).ToList())
            {
                _pending.Remove(venue);
                Tell(venue, VenueView.Of(_truth[venue]), ChangeSource.Direct);
            }

            if (_pending.Count > 0)
            {
                Arm(_pending.Values.Min());
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The venues of user {User} are too large to follow live; direct writes are not streamed to them for now")]
    private static partial void LogTooLarge(ILogger logger, string user);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The database stream of user {User} failed ({Failure}: {Reason}); it is opened again")]
    private static partial void LogUpstreamFailed(ILogger logger, string user, string failure, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The change channel of user {User} could not be subscribed to ({Failure}); tried again")]
    private static partial void LogNotSubscribed(ILogger logger, string user, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The database stream of user {User} was silent for {Silence}; it is opened again")]
    private static partial void LogUpstreamSilent(ILogger logger, string user, TimeSpan silence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A change notice of user {User} could not be told ({Failure}) and was dropped")]
    private static partial void LogNoticeFailed(ILogger logger, string user, string failure);
}
