using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Auth;

/// <summary>Who sends a request: the admin (bypasses the rules), a signed-in user (<c>auth</c> set), or nobody (<c>auth</c> null).</summary>
internal sealed class Caller
{
    private Caller(bool isAdmin, RuleValue auth, double? expiresAtMs = null)
    {
        IsAdmin = isAdmin;
        Auth = auth;
        ExpiresAtMs = expiresAtMs;
    }

    public static Caller Admin { get; } = new(true, RuleValue.Null);

    public static Caller Anonymous { get; } = new(false, RuleValue.Null);

    public bool IsAdmin { get; }

    /// <summary>The rules' <c>auth</c>: <c>{uid, provider, token}</c>, or null.</summary>
    public RuleValue Auth { get; }

    /// <summary>When a signed-in user's ID token expires (Unix ms); null for the admin and nobody.</summary>
    public double? ExpiresAtMs { get; }

    public static Caller User(DecodedToken token) => new(false, token.Auth, token.ExpiresAtMs);
}
