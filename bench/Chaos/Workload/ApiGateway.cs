using System.Net.Http.Json;
using System.Net.Sockets;
using AuthApp.Bench.Chaos.History;
using AuthApp.Bench.Chaos.Launcher;

namespace AuthApp.Bench.Chaos.Workload;

/// <summary>What a request asks for, for the history (the checker reads these rather than parsing bodies back).</summary>
public sealed record RequestDetails(string? Venue = null, string? Device = null, string? Value = null, long? Occurrence = null);

/// <summary>
/// The load balancer in front of the API replicas: round robin, and a connection the replica refuses (it is down) goes
/// to the next one, as nginx's <c>proxy_next_upstream error</c> does. A request that reached a replica is never sent
/// again: what a killed replica was answering ends without an answer, and the tenant sees that. Every request and its
/// answer goes into the history.
/// </summary>
public sealed class ApiGateway : IDisposable
{
    private const int MaxBody = 4096;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly IReadOnlyList<ServiceProcess> _replicas;
    private readonly HttpClient[] _clients;
    private readonly HistoryRecorder _history;
    private int _next;

    public ApiGateway(IReadOnlyList<ServiceProcess> replicas, HistoryRecorder history)
    {
        _replicas = replicas;
        _history = history;
        _clients = [.. replicas.Select(replica => new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = 64,
        }) { BaseAddress = replica.BaseAddress, Timeout = Timeout })];
    }

    public async Task<RequestRecord> SendAsync(
        string tenant, string kind, HttpMethod method, string path, object? body, string? idToken, string clientAddress,
        RequestDetails? details = null, CancellationToken cancellationToken = default)
    {
        var first = (int)((uint)Interlocked.Increment(ref _next) % (uint)_clients.Length);
        var sent = _history.NowMs;
        var failedOver = false;
        for (var attempt = 0; ; attempt++)
        {
            var replica = (first + attempt) % _clients.Length;
            using var request = new HttpRequestMessage(method, path.TrimStart('/'));
            request.Headers.Add("X-Forwarded-For", clientAddress);
            if (idToken is not null)
            {
                request.Headers.Authorization = new("Bearer", idToken);
            }

            if (body is not null)
            {
                request.Content = JsonContent.Create(body);
            }

            try
            {
                using var response = await _clients[replica].SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? header.Date?.ToString("O")
                    : null;
                return Record((int)response.StatusCode, retryAfter, null, text);
            }
            catch (HttpRequestException exception) when (IsRefused(exception) && attempt + 1 < _clients.Length)
            {
                failedOver = true; // nothing reached that replica: the balancer tries the next one
            }
            catch (HttpRequestException exception)
            {
                return Record(0, null, IsRefused(exception) ? "refused" : $"no answer: {exception.HttpRequestError}", null);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return Record(0, null, $"no answer within {Timeout.TotalSeconds:0} s", null);
            }

            RequestRecord Record(int status, string? retryAfter, string? error, string? text)
            {
                var record = new RequestRecord(
                    _history.NextSequence(), tenant, kind, method.Method, path, _replicas[replica].Name, sent, _history.NowMs,
                    status, retryAfter, error, text is { Length: > MaxBody } ? text[..MaxBody] : text,
                    details?.Venue, details?.Device, details?.Value, details?.Occurrence, failedOver);
                _history.Add(record);
                return record;
            }
        }
    }

    private static bool IsRefused(HttpRequestException exception) =>
        exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
