using System.Collections.Concurrent;
using System.Net;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// Faults injected between the API's Firebase clients and the emulators, per request: a rule matches requests
/// (e.g. Identity Toolkit's <c>accounts:signUp</c>, or a database PATCH) and either refuses them unprocessed (503,
/// which the client may retry) or lets them through and loses the answer (the server acted; the caller cannot
/// know). Rules are consumed in order; a rule with no count stays until <see cref="Clear"/>. A pause
/// (<see cref="PauseAnswerWhen"/>) holds one request's answer, so that a caller stands still after a chosen step.
/// </summary>
public sealed class HttpFaults
{
    private readonly ConcurrentQueue<Rule> _rules = new();
    private readonly ConcurrentQueue<HttpPause> _pauses = new();

    /// <summary>Requests refused (503) or whose answers were lost so far.</summary>
    public int Injected => Volatile.Read(ref _injected);

    private int _injected;

    public HttpFaults RefuseWhen(Func<HttpRequestMessage, bool> match, int? times = null) => Add(match, lose: false, times);

    public HttpFaults LoseAnswerWhen(Func<HttpRequestMessage, bool> match, int? times = null) => Add(match, lose: true, times);

    /// <summary>
    /// Lets the first request matching <paramref name="match"/> reach the server, then holds its answer until the
    /// pause is released: its caller stands still right after that step (say, a signup whose account exists but whose
    /// key is not claimed yet) while a test runs others. The hold ignores the client's timeouts; release it in a finally.
    /// </summary>
    public HttpPause PauseAnswerWhen(Func<HttpRequestMessage, bool> match)
    {
        var pause = new HttpPause(match);
        _pauses.Enqueue(pause);
        return pause;
    }

    /// <summary>Removes every rule and releases every pause.</summary>
    public void Clear()
    {
        _rules.Clear();
        while (_pauses.TryDequeue(out var pause))
        {
            pause.Release();
        }
    }

    /// <summary>Identity Toolkit's or the secure-token API's <paramref name="operation"/> (e.g. <c>accounts:signUp</c>).</summary>
    public static Func<HttpRequestMessage, bool> Auth(string operation) =>
        request => request.RequestUri?.AbsolutePath.EndsWith("/" + operation, StringComparison.Ordinal) == true;

    /// <summary>The account creation signup makes (the admin <c>projects/{project}/accounts</c>).</summary>
    public static Func<HttpRequestMessage, bool> AccountCreation { get; } = Auth("accounts");

    /// <summary>A database request with <paramref name="method"/> (any path when <paramref name="pathPrefix"/> is null).</summary>
    public static Func<HttpRequestMessage, bool> Database(HttpMethod method, string? pathPrefix = null) =>
        request => request.Method == method && request.RequestUri?.AbsolutePath.EndsWith(".json", StringComparison.Ordinal) == true
            && (pathPrefix is null || request.RequestUri.AbsolutePath.TrimStart('/').StartsWith(pathPrefix, StringComparison.Ordinal));

    /// <summary>The <paramref name="occurrence"/>-th request matching <paramref name="match"/> (counted from now, from 1) and the <paramref name="count"/> - 1 after it.</summary>
    public static Func<HttpRequestMessage, bool> Occurrence(Func<HttpRequestMessage, bool> match, int occurrence, int count = 1)
    {
        var seen = 0;
        return request => match(request) && Interlocked.Increment(ref seen) is var nth && nth >= occurrence && nth < occurrence + count;
    }

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

    internal HttpPause? PauseFor(HttpRequestMessage request) => _pauses.FirstOrDefault(pause => pause.TryTake(request));

    private sealed class Rule(Func<HttpRequestMessage, bool> match, bool lose, int? times)
    {
        private int _left = times ?? int.MaxValue;

        public Func<HttpRequestMessage, bool> Match { get; } = match;

        public bool Lose { get; } = lose;

        public bool TryUse() => Interlocked.Decrement(ref _left) >= 0;
    }
}

/// <summary>A request whose answer <see cref="HttpFaults.PauseAnswerWhen"/> holds.</summary>
public sealed class HttpPause(Func<HttpRequestMessage, bool> match)
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _taken;

    /// <summary>Completes when the matching request has been answered by the server and its answer is being held.</summary>
    public Task Reached => _reached.Task;

    public void Release() => _released.TrySetResult();

    internal bool TryTake(HttpRequestMessage request) => match(request) && Interlocked.Exchange(ref _taken, 1) == 0;

    internal Task HoldAsync()
    {
        _reached.TrySetResult();
        return _released.Task;
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

        var pause = faults.PauseFor(request);
        var response = await base.SendAsync(request, cancellationToken);
        if (pause is not null)
        {
            await pause.HoldAsync();
        }

        if (lose)
        {
            response.Dispose();
            throw new HttpRequestException("Injected fault: the answer was lost after the server acted.");
        }

        return response;
    }
}
