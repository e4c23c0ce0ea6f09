using System.Buffers;
using System.Net.Sockets;
using System.Text;
using AuthApp.Firebase.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>
/// A real HTTP server on a free loopback port answering every database request as a test scripts it: the misbehaving
/// database, proxy or impostor the emulator does not play (a body without an end, not JSON, sent drop by drop).
/// Its clients count the bytes they actually read from the connection. (What the server wrote proves nothing: once the
/// client has gone, Kestrel turns further writes into no-ops, sometimes before it cancels <c>RequestAborted</c>.)
/// </summary>
public sealed class AnswerServer : IAsyncDisposable
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public const string EventStreamContentType = "text/event-stream";

    private const int ChunkBytes = 64 * 1024;

    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _dripping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LocalServer? _server;
    private long _bytesReceived;

    /// <summary>
    /// Completes when an answer's handler is done: it wrote all of the body, or the client hung up. With
    /// <see cref="BytesReceived"/> below the body's size, it shows the client dropped the connection rather than
    /// merely stopping to read (the server would then block on a full socket and never finish).
    /// </summary>
    public Task Finished => _finished.Task;

    /// <summary>Completes when <see cref="DripAsync"/> has sent its headers and first bytes.</summary>
    public Task Dripping => _dripping.Task;

    /// <summary>Bytes the clients of <see cref="CreateClient"/> read from their connections (headers included).</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public Uri BaseAddress => _server!.BaseAddress;

    public static async Task<AnswerServer> StartAsync(Func<AnswerServer, HttpContext, Task> answer)
    {
        var server = new AnswerServer();
        server._server = await LocalServer.StartAsync(app => app.Run(context => answer(server, context)), TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>
    /// A client wired as in production (resilience, token handler; for streams, its own handler's settings) that talks
    /// to this server and counts what it reads.
    /// </summary>
    public DatabaseClientScope CreateClient(Action<FirebaseOptions>? configure = null) =>
        DatabaseClientScope.Create(BaseAddress.Authority, "answer-ns", services =>
        {
            services.AddHttpClient(FirebaseDatabaseClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { ConnectCallback = ConnectCounted });
            services.AddHttpClient(FirebaseDatabaseClient.StreamHttpClientName)
                .ConfigurePrimaryHttpMessageHandler((handler, _) => ((SocketsHttpHandler)handler).ConnectCallback = ConnectCounted);
            if (configure is not null)
            {
                services.Configure(configure);
            }
        });

    private async ValueTask<Stream> ConnectCounted(SocketsHttpConnectionContext connection, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(connection.DnsEndPoint, cancellationToken);
        return new CountingStream(new NetworkStream(socket, ownsSocket: true), read => Interlocked.Add(ref _bytesReceived, read));
    }

    /// <summary>Sends <paramref name="body"/> in 64 KiB writes, chunked unless <paramref name="declareLength"/>.</summary>
    public async Task WriteAsync(
        HttpContext context, ReadOnlyMemory<byte> body, bool declareLength = false, int status = StatusCodes.Status200OK, string contentType = JsonContentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        if (declareLength)
        {
            context.Response.ContentLength = body.Length;
        }

        try
        {
            for (var offset = 0; offset < body.Length; offset += ChunkBytes)
            {
                await context.Response.Body.WriteAsync(body.Slice(offset, Math.Min(ChunkBytes, body.Length - offset)), context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client hung up mid-write.
        }
        finally
        {
            _finished.TrySetResult();
        }
    }

    /// <summary>Sends the headers (claiming <paramref name="declaredLength"/>, if given) and <paramref name="start"/>, then nothing more until the client hangs up.</summary>
    public async Task DripAsync(HttpContext context, string start, long? declaredLength = null, string contentType = JsonContentType)
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = declaredLength;
        await context.Response.StartAsync(context.RequestAborted);
        await context.Response.WriteAsync(start, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
        _dripping.TrySetResult();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            _finished.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>A connection that reports every read.</summary>
    private sealed class CountingStream(Stream inner, Action<int> onRead) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            onRead(read);
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            onRead(read);
            return read;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Builds a JSON object's bytes child by child, without first building the text: tests serve tens of megabytes.</summary>
public sealed class JsonBody
{
    private readonly ArrayBufferWriter<byte> _buffer = new();
    private bool _empty = true;

    public JsonBody() => _buffer.Write("{"u8);

    public JsonBody Child(string key, string json)
    {
        _buffer.Write(Encoding.UTF8.GetBytes((_empty ? "\"" : ",\"") + key + "\":" + json));
        _empty = false;
        return this;
    }

    /// <summary>A child of at least <paramref name="bytes"/> bytes of JSON text, made of strings of <paramref name="pieceBytes"/> each.</summary>
    public JsonBody BigChild(string key, int bytes, int pieceBytes = 64 * 1024)
    {
        var piece = Encoding.UTF8.GetBytes(new string('x', pieceBytes));
        _buffer.Write(Encoding.UTF8.GetBytes((_empty ? "\"" : ",\"") + key + "\":{"));
        var written = 0;
        for (var i = 0; written < bytes; i++)
        {
            var name = Encoding.UTF8.GetBytes((i == 0 ? "\"" : ",\"") + $"s{i:D6}\":\"");
            _buffer.Write(name);
            _buffer.Write(piece);
            _buffer.Write("\""u8);
            written += name.Length + piece.Length + 1;
        }

        _buffer.Write("}"u8);
        _empty = false;
        return this;
    }

    public byte[] End()
    {
        _buffer.Write("}"u8);
        return _buffer.WrittenSpan.ToArray();
    }
}
