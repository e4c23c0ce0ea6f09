using System.Text.Json.Nodes;
using TestTokens = AuthApp.Testing.IdTokens;

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>Who a test request comes from, and how it carries its credential.</summary>
public sealed record Identity(string Name, string? BearerToken = null, string? AuthParameter = null)
{
    /// <summary>The server's credential against emulators: bypasses the rules.</summary>
    public static Identity Admin { get; } = new("admin", BearerToken: "owner");

    public static Identity Anonymous { get; } = new("anonymous");

    /// <summary>A signed-in user sending its ID token as <c>Authorization: Bearer</c>.</summary>
    public static Identity User(string uid, TimeProvider clock) => new(uid, BearerToken: TokenFor(uid, clock));

    /// <summary>A signed-in user sending its ID token as <c>?auth=</c>.</summary>
    public static Identity UserViaQuery(string uid, TimeProvider clock) => new(uid, AuthParameter: TokenFor(uid, clock));

    /// <summary>
    /// An ID token as the Auth emulator issues it for <paramref name="uid"/>, at the emulator's time (its
    /// <paramref name="clock"/>), optionally with a lifetime or claims of the test's own.
    /// </summary>
    public static string TokenFor(string uid, TimeProvider clock, TimeSpan? lifetime = null, JsonObject? claims = null)
    {
        var token = TestTokens.EmulatorClaims(uid, clock.GetUtcNow(), lifetime);
        foreach (var (name, value) in claims ?? [])
        {
            token[name] = value?.DeepClone();
        }

        return TestTokens.Unsigned(token);
    }

    public override string ToString() => Name;
}
