using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// Production's path for the API under test: RS256 ID tokens signed with a test key that a local stand-in for
/// Google's key discovery publishes (<c>Firebase:IdTokenMetadataAddress</c>), unsigned tokens refused.
/// </summary>
public sealed class SignedTokens : IAsyncDisposable
{
    /// <summary>One key for the whole run (RSA key generation is slow).</summary>
    public static SigningKey TestKey { get; } = new("test-key-1");

    private SignedTokens(SigningKeyServer server) => Server = server;

    public SigningKeyServer Server { get; }

    public SigningKey Key => TestKey;

    public static async Task<SignedTokens> StartAsync() =>
        new(await SigningKeyServer.StartAsync(AuthEmulatorFixture.ProjectId, TestKey));

    /// <summary>The API settings for this mode.</summary>
    public IReadOnlyDictionary<string, string?> Settings(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Firebase:AcceptEmulatorTokens"] = "false",
            ["Firebase:IdTokenMetadataAddress"] = Server.MetadataAddress.ToString(),
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A token for <paramref name="uid"/> as Google would sign it, signed in now (or at <paramref name="authTime"/>).</summary>
    public string For(string uid, DateTimeOffset? authTime = null, Func<JsonObject, JsonObject>? change = null)
    {
        var claims = IdTokens.Claims(DateTimeOffset.UtcNow, uid: uid)
            .With("auth_time", (authTime ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds())
            .With("iat", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return IdTokens.Sign(Key, change?.Invoke(claims) ?? claims);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
