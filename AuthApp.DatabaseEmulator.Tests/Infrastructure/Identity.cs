namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>Who a test request comes from, and how it carries its credential.</summary>
public sealed record Identity(string Name, string? BearerToken = null, string? AuthParameter = null)
{
    /// <summary>The server's credential against emulators: bypasses the rules.</summary>
    public static Identity Admin { get; } = new("admin", BearerToken: "owner");

    public static Identity Anonymous { get; } = new("anonymous");

    /// <summary>A signed-in user sending its ID token as <c>Authorization: Bearer</c>.</summary>
    public static Identity User(string uid, TimeProvider clock) => new(uid, BearerToken: TestTokens.For(uid, clock));

    /// <summary>A signed-in user sending its ID token as <c>?auth=</c>.</summary>
    public static Identity UserViaQuery(string uid, TimeProvider clock) => new(uid, AuthParameter: TestTokens.For(uid, clock));

    public override string ToString() => Name;
}
