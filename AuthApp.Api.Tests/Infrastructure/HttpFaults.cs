using System.Collections.Concurrent;
using System.Net;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// Faults injected between the API's Firebase clients and the emulators, per request: a rule matches requests
/// (e.g. Identity Toolkit's <c>accounts:signUp</c>, or a database PATCH) and either refuses them unprocessed (503,
/// which the client may retry) or lets them through and loses the answer (the server acted; the caller cannot
/// know). Rules are consumed in order; a rule with no count stays until <see cref="Clear"/>.
/// </summary>
public sealed class HttpFaults
{
    private readonly ConcurrentQueue<Rule> _rules = new();

    /// <summary>Requests refused (503) or whose answers were lost so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    private int _injected;

    public HttpFaults RefuseWhen(Func<HttpRequestMessage, bool> match, int? times = null) => Add(match, lose: false, times);

    public HttpFaults LoseAnswerWhen(Func<HttpRequestMessage, bool> match, int? times = null) => Add(match, lose: true, times);

    public void Clear() => _rules.Clear();

    /// <summary>Identity Toolkit's or the secure-token API's <paramref name="operation"/> (e.g. <c>accounts:signUp</c>).</summary>
    public static Func<HttpRequestMessage, bool> Auth(string operation) =>
        request => request.RequestUri?.AbsolutePath.EndsWith("/" + operation, StringComparison.Ordinal) == true;

    /// <summary>A database request with <paramref name="method"/> (any path when <paramref name="pathPrefix"/> is null).</summary>
    public static Func<HttpRequestMessage, bool> Database(HttpMethod method, string? pathPrefix = null) =>
        request => request.Method == method && request.RequestUri?.AbsolutePath.EndsWith(".json", StringComparison.Ordinal) == true
            && (pathPrefix is null || request.RequestUri.AbsolutePath.TrimStart('/').StartsWith(pathPrefix, StringComparison.Ordinal));

    private HttpFaults Add(Func<HttpRequestMessage, bool> match, bool lose, int? times)
    {
        _rules.Enqueue(new Rule(match, lose, times));
        return this;
    }

    internal (bool Refuse, bool Lose) Decide(HttpRequestMessage request)
    {
        foreach (var rule in _rules)
        {
            if (rule.Match(request) && rule.TryUse())
            {
                Interlocked.Increment(ref _injected);
                return (!rule.Lose, rule.Lose);
            }
        }

        return (false, false);
    }

    private sealed class Rule(Func<HttpRequestMessage, bool> match, bool lose, int? times)
    {
        private int _left = times ?? int.MaxValue;

        public Func<HttpRequestMessage, bool> Match { get; } = match;

        public bool Lose { get; } = lose;

        public bool TryUse() => Interlocked.Decrement(ref _left) >= 0;
    }
}

/// <summary>The handler placed innermost in the Firebase clients' pipelines (inside their resilience handler).</summary>
internal sealed class HttpFaultHandler(HttpFaults faults) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var (refuse, lose) = faults.Decide(request);
        if (refuse)
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (lose)
        {
            response.Dispose();
            throw new HttpRequestException("Injected fault: the answer was lost after the server acted.");
        }

        return response;
    }
}
