using System.Net;
using Microsoft.Extensions.Http;

namespace AuthApp.ServiceDefaults.Readiness;

/// <summary>
/// A remote dependency judged passively: by the outcome of the calls the service makes to it anyway, never by
/// a call of its own. <see cref="ClientNamePrefix"/> selects the named HttpClients that talk to it.
/// </summary>
public sealed class ObservedDependency(string name, string clientNamePrefix, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private int _failuresInARow;
    private DateTimeOffset _lastFailure;
    private DateTimeOffset _lastSuccess;
    private PeerView _peers = PeerView.Unknown;

    public string Name { get; } = name;

    public string ClientNamePrefix { get; } = clientNamePrefix;

    public void RecordSuccess()
    {
        lock (_gate)
        {
            _failuresInARow = 0;
            _lastSuccess = clock.GetUtcNow();
        }
    }

    public void RecordFailure()
    {
        lock (_gate)
        {
            _failuresInARow++;
            _lastFailure = clock.GetUtcNow();
        }
    }

    /// <summary>This replica's own view: the last <paramref name="failuresInARow"/> calls failed, the last one within <paramref name="memory"/>.</summary>
    public bool IsFailing(int failuresInARow, TimeSpan memory)
    {
        lock (_gate)
        {
            return _failuresInARow >= failuresInARow && clock.GetUtcNow() - _lastFailure <= memory;
        }
    }

    public DateTimeOffset LastSuccess
    {
        get
        {
            lock (_gate)
            {
                return _lastSuccess;
            }
        }
    }

    /// <summary>What the other replicas of the service reported last (see <see cref="PeerHealthExchange"/>).</summary>
    public PeerView Peers
    {
        get => Volatile.Read(ref _peers);
        set => Volatile.Write(ref _peers, value);
    }
}

/// <summary>How many other live replicas reach the dependency, as of <see cref="ObservedAt"/>; unknown without Redis.</summary>
public sealed record PeerView(int Reaching, int Live, DateTimeOffset ObservedAt)
{
    public static readonly PeerView Unknown = new(0, 0, DateTimeOffset.MinValue);
}

/// <summary>
/// Records the outcome of each call through a dependency's HttpClients. It is the outermost handler, so it sees
/// one outcome per logical call: after the client's retries, and the circuit breaker's refusals as failures.
/// Answers that prove the dependency is up and judged the request (4xx) are successes; 5xx, 429, timeouts and
/// connection failures are failures; a call the caller cancelled says nothing.
/// </summary>
internal sealed class ObservingHandler(ObservedDependency dependency) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch
        {
            dependency.RecordFailure();
            throw;
        }

        if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            dependency.RecordFailure();
        }
        else
        {
            dependency.RecordSuccess();
        }

        return response;
    }
}

/// <summary>
/// Puts an <see cref="ObservingHandler"/> in front of every HttpClient whose name starts with an observed
/// dependency's prefix. A filter runs after every client's own configuration, so the handler ends up outermost
/// whatever order the registrations ran in.
/// </summary>
internal sealed class ObservingHandlerFilter(IEnumerable<ObservedDependency> dependencies) : IHttpMessageHandlerBuilderFilter
{
    public Action<HttpMessageHandlerBuilder> Configure(Action<HttpMessageHandlerBuilder> next) => builder =>
    {
        next(builder);
        var dependency = dependencies.FirstOrDefault(candidate =>
            builder.Name?.StartsWith(candidate.ClientNamePrefix, StringComparison.Ordinal) == true);
        if (dependency is not null)
        {
            builder.AdditionalHandlers.Insert(0, new ObservingHandler(dependency));
        }
    };
}
