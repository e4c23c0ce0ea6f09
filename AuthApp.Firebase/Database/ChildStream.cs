using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AuthApp.Firebase.Database;

/// <summary>
/// Reads the children of the JSON object an answer holds (or of the array the database serves for integer-like keys:
/// index keys, null gaps skipped) one at a time, without holding the answer. A <see cref="Utf8JsonReader"/> runs over
/// a window of the body that is refilled as it is consumed (its <see cref="JsonReaderState"/> carries over); the raw
/// bytes of the current child are copied aside while they stay within the bound, then parsed; a larger child's bytes
/// are skipped and it comes out as <see cref="DatabaseChild.TooLarge"/>. A single token must fit in the window, which
/// grows for it up to a cap (beyond it: <see cref="DatabaseErrorKind.ResponseTooLarge"/>). Memory is therefore at most
/// the child bound plus the token cap, whatever the size of the answer. A null or primitive answer has no children.
/// </summary>
internal sealed class ChildStream : IDisposable
{
    private const int InitialWindowBytes = 64 * 1024;

    private readonly ResponseBody _body;
    private readonly int _maxChildBytes;
    private readonly int _maxTokenBytes;
    private readonly PooledBuffer _child;
    private byte[] _window;
    private int _start;
    private int _end;
    private bool _endOfBody;
    private JsonReaderState _state = new(ResponseJson.ReaderOptions);
    private Shape _shape;
    private string? _key;
    private int _index;
    private bool _inChild;
    private bool _tooLarge;
    private int _childFrom;

    public ChildStream(ResponseBody body, int maxChildBytes, int maxTokenBytes)
    {
        _body = body;
        _maxChildBytes = maxChildBytes;
        _maxTokenBytes = maxTokenBytes;
        _child = new PooledBuffer(Math.Min(maxChildBytes, 4096));
        _window = ArrayPool<byte>.Shared.Rent(Math.Min(InitialWindowBytes, maxTokenBytes));
    }

    private enum Shape
    {
        /// <summary>Nothing read yet.</summary>
        Unknown,

        Object,

        Array,

        /// <summary>No (more) children: the answer is a primitive, or its object or array has ended.</summary>
        None,
    }

    /// <summary>The next child, or null after the last.</summary>
    public async ValueTask<DatabaseChild?> NextAsync()
    {
        while (true)
        {
            DatabaseChild? child;
            try
            {
                child = ReadWindow();
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw ResponseFailures.Invalid(_body.Logger, _body.Method, _body.Path, e);
            }

            if (child is not null || _endOfBody)
            {
                return child;
            }

            await FillAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _child.Dispose();
        if (_window.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_window);
            _window = [];
        }
    }

    /// <summary>Runs the reader over the window until a child is complete (returned) or the bytes run out (null).</summary>
    private DatabaseChild? ReadWindow()
    {
        if (_shape == Shape.Unknown && _endOfBody && _start == _end)
        {
            return null; // an empty body: nothing there
        }

        var reader = new Utf8JsonReader(_window.AsSpan(_start, _end - _start), _endOfBody, _state);
        var completed = false;
        while (!completed && reader.Read())
        {
            completed = Accept(ref reader);
        }

        var consumed = _start + (int)reader.BytesConsumed;
        if (_inChild)
        {
            Keep(_childFrom, consumed);
            _childFrom = consumed;
        }

        _start = consumed;
        _state = reader.CurrentState;
        return completed ? Complete() : null;
    }

    /// <summary>Follows one token; true when it ends a child.</summary>
    private bool Accept(ref Utf8JsonReader reader)
    {
        if (_shape == Shape.Unknown)
        {
            _shape = reader.TokenType switch
            {
                JsonTokenType.StartObject => Shape.Object,
                JsonTokenType.StartArray => Shape.Array,
                _ => Shape.None,
            };
            return false;
        }

        if (_shape == Shape.None)
        {
            return false;
        }

        if (reader.CurrentDepth == 0)
        {
            _shape = Shape.None; // the end of the object or array; the reader still checks that nothing follows
            return false;
        }

        if (!_inChild)
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                _key = reader.GetString();
                return false;
            }

            if (_shape == Shape.Array)
            {
                _key = (_index++).ToString(CultureInfo.InvariantCulture);
            }

            if (reader.TokenType == JsonTokenType.Null)
            {
                return false; // null is absence to the database (an array's gap)
            }

            _inChild = true;
            _tooLarge = false;
            _childFrom = _start + (int)reader.TokenStartIndex;
        }

        return reader.CurrentDepth == 1 && reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray);
    }

    /// <summary>Copies the child's bytes in <c>[from, to)</c> of the window aside, unless the child has outgrown its bound.</summary>
    private void Keep(int from, int to)
    {
        if (_tooLarge)
        {
            return;
        }

        if (_child.Length + (to - from) > _maxChildBytes)
        {
            _tooLarge = true;
            _child.Clear();
            return;
        }

        _child.Append(_window.AsSpan(from, to - from), _maxChildBytes);
    }

    private DatabaseChild Complete()
    {
        _inChild = false;
        if (_tooLarge)
        {
            return new DatabaseChild(_key!, null, TooLarge: true);
        }

        var value = ResponseJson.Parse(_child.WrittenSpan, _body.Logger, _body.Method, _body.Path);
        _child.Clear();
        return new DatabaseChild(_key!, value, TooLarge: false);
    }

    /// <summary>Moves the unread bytes to the front, grows the window if they fill it (one token that large), and reads more.</summary>
    private async ValueTask FillAsync()
    {
        if (_start > 0)
        {
            _window.AsSpan(_start, _end - _start).CopyTo(_window);
            _end -= _start;
            _childFrom -= _start;
            _start = 0;
        }

        var limit = Math.Min(_window.Length, _maxTokenBytes);
        if (_end == limit)
        {
            if (limit == _maxTokenBytes)
            {
                throw ResponseFailures.TooLarge(_body.Logger, _body.Method, _body.Path, _maxTokenBytes, "a single value in the answer");
            }

            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(_window.Length * 2, _maxTokenBytes));
            _window.AsSpan(0, _end).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_window);
            _window = grown;
            limit = Math.Min(_window.Length, _maxTokenBytes);
        }

        var read = await _body.ReadAsync(_window.AsMemory(_end, limit - _end)).ConfigureAwait(false);
        _endOfBody = read == 0;
        _end += read;
    }
}
