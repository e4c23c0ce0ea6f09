using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Auth;

/// <summary>Who sends a request: the admin (bypasses the rules), a signed-in user (<c>auth</c> set), or nobody (<c>auth</c> null).</summary>
internal sealed class Caller
{
    private Caller(bool isAdmin, RuleValue auth)
    {
        IsAdmin = isAdmin;
        Auth = auth;
    }

    public static Caller Admin { get; } = new(true, RuleValue.Null);

    public static Caller Anonymous { get; } = new(false, RuleValue.Null);

    public bool IsAdmin { get; }

    /// <summary>The rules' <c>auth</c>: <c>{uid, provider, token}</c>, or null.</summary>
    public RuleValue Auth { get; }

    public static Caller User(RuleValue auth) => new(false, auth);
}
