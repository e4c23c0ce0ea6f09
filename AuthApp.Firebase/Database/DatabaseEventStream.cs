using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Http;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Database;

/// <summary>
/// The events of one listen, parsed by <see cref="SseParser"/> from a body bounded per event (<see cref="EventBoundStream"/>)
/// and turned into <see cref="DatabaseStreamEvent"/>s or the <see cref="DatabaseException"/> that ends the stream. It holds
/// no timer and starts no task: between events an open stream costs its connection, the parser's buffer (1 KiB until an
/// event needs more) and this object.
/// </summary>
internal sealed class DatabaseEventStream : IAsyncDisposable
{
    private const string Method = "GET";

    /// <summary>
    /// What one event's wire text holds beyond its data, with room to spare: <c>event: keep-alive\n</c>, <c>data: </c> and
    /// the blank line. An event whose name does not fit is one the database never sends.
    /// </summary>
    private const int FramingBytes = 256;

    private readonly EventBoundStream _body;
    private readonly IAsyncEnumerator<SseItem<DatabaseStreamEvent?>> _items;
    private readonly string _path;
    private readonly int _maxEventBytes;
    private readonly ILogger _logger;
    private readonly CancellationToken _cancellationToken;

    public DatabaseEventStream(Stream body, string path, int maxEventBytes, ILogger logger, CancellationToken cancellationToken)
    {
        _path = path;
        _maxEventBytes = maxEventBytes;
        _logger = logger;
        _cancellationToken = cancellationToken;
        _body = new EventBoundStream(body, maxEventBytes + FramingBytes, TooLarge);
        _items = SseParser.Create<DatabaseStreamEvent?>(_body, Parse).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    /// <summary>The next put, patch or keep-alive; anything else ends the stream with a <see cref="DatabaseException"/>.</summary>
    public async ValueTask<DatabaseStreamEvent> NextAsync()
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _items.MoveNextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e.IsTransportFailure() || (e is OperationCanceledException && !_cancellationToken.IsCancellationRequested))
            {
                throw Unavailable($"the stream broke off ({e.GetType().Name})", e);
            }

            if (!more)
            {
                throw Unavailable("the database closed the stream", null);
            }

            if (_items.Current.Data is { } streamEvent)
            {
                return streamEvent;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _items.DisposeAsync().ConfigureAwait(false);
        await _body.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The item parser: one event's data, still in the parser's buffer. Null for an event type the protocol does not have.</summary>
    private DatabaseStreamEvent? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        _body.EventDispatched();
        if (data.Length > _maxEventBytes)
        {
            throw TooLarge();
        }

        return eventType switch
        {
            "put" => Change(DatabaseStreamEventKind.Put, data),
            "patch" => Change(DatabaseStreamEventKind.Patch, data),
            "keep-alive" => new DatabaseStreamEvent(DatabaseStreamEventKind.KeepAlive, "/", null),
            "cancel" => throw Ended(DatabaseErrorKind.PermissionDenied, "the rules no longer allow reading the location (cancel)", data),
            "auth_revoked" => throw Ended(DatabaseErrorKind.CredentialExpired, "the credential expired (auth_revoked); listen again with a fresh one", data),
            _ => null,
        };
    }

    /// <summary><c>{"path": "/rel/path", "data": value}</c>, the value detached from its envelope.</summary>
    private DatabaseStreamEvent Change(DatabaseStreamEventKind kind, ReadOnlySpan<byte> data)
    {
        if (ResponseJson.Parse(data, _logger, Method, _path) is not JsonObject envelope
            || !envelope.TryGetPropertyValue("path", out var pathNode)
            || pathNode is not JsonValue pathValue || pathValue.GetValueKind() != JsonValueKind.String
            || pathValue.GetValue<string>() is not ['/', ..] path
            || !envelope.TryGetPropertyValue("data", out var value))
        {
            throw ResponseFailures.Invalid(_logger, Method, _path, new JsonException($"a {kind} event's data is not {{\"path\": \"/...\", \"data\": ...}}"));
        }

        envelope.Remove("data");
        return new DatabaseStreamEvent(kind, path, value);
    }

    private DatabaseException Ended(DatabaseErrorKind kind, string why, ReadOnlySpan<byte> data)
    {
        string? serverError = null;
        try
        {
            if (ResponseJson.Parse(data, _logger, Method, _path) is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            {
                serverError = text.GetValue<string>();
            }
        }
        catch (DatabaseException)
        {
            // The reason's text is for people; the event's name has said what happened.
        }

        return new DatabaseException(kind, $"Realtime Database stream of '{_path}' ended: {why}.") { Path = _path, ServerError = serverError };
    }

    private DatabaseException TooLarge() => ResponseFailures.TooLarge(_logger, Method, _path, _maxEventBytes, "an event of the stream");

    private DatabaseException Unavailable(string why, Exception? cause) =>
        new(DatabaseErrorKind.Unavailable, $"Realtime Database stream of '{_path}' failed: {why}; listen again.", cause) { Path = _path };
}
