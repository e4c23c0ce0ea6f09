using System.Net;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Auth;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules.Access;

/// <summary>
/// The rules as they apply to one request: nothing is judged in a namespace without rules or for the admin;
/// otherwise a denial throws Firebase's 401 <c>Permission denied</c> before anything is written.
/// </summary>
internal sealed class RequestAccess
{
    private readonly Caller _caller;
    private readonly double _nowMs;

    private RequestAccess(RuleSet? rules, Caller caller, long nowMs)
    {
        Rules = rules;
        _caller = caller;
        _nowMs = nowMs;
    }

    /// <summary>The namespace's rules (for <c>.indexOn</c>, which binds the admin too), or null.</summary>
    public RuleSet? Rules { get; }

    /// <summary>Credentials are only looked at where there are rules to judge them by.</summary>
    public static RequestAccess For(RuleSet? rules, HttpRequest request, IdTokenCache tokens, long nowMs) =>
        new(rules, rules is null ? Caller.Admin : RequestCredentials.Identify(request, tokens, nowMs), nowMs);

    /// <summary>When the caller's ID token expires (Unix ms): a stream it opened ends then. Null for the admin and nobody.</summary>
    public double? CredentialExpiresAtMs => _caller.ExpiresAtMs;

    public bool CanRead(JsonNode? storedRoot, string[] path) => Read(storedRoot, path).Allowed;

    public void RequireRead(JsonNode? storedRoot, string[] path) => Require(Read(storedRoot, path));

    public void RequireWrite(JsonNode? storedRoot, IReadOnlyList<PendingWrite> writes)
    {
        if (Rules is not null && !_caller.IsAdmin)
        {
            Require(AccessJudge.Write(Rules.Root, _caller.Auth, _nowMs, new PendingWrites(storedRoot, writes)));
        }
    }

    private Verdict Read(JsonNode? storedRoot, string[] path) => Rules is null || _caller.IsAdmin
        ? Verdict.Allow
        : AccessJudge.Read(Rules.Root, _caller.Auth, _nowMs, storedRoot, path);

    private static void Require(Verdict verdict)
    {
        if (!verdict.Allowed)
        {
            throw new RtdbException(HttpStatusCode.Unauthorized, "Permission denied") { LogDetail = verdict.Reason };
        }
    }
}
