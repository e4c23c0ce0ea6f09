using System.Buffers.Text;
using System.Text.Json;

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>
/// Firebase ID tokens shaped as the Auth emulator issues them: unsigned (<c>alg: none</c>), issuer and audience of
/// a <c>demo-</c> project, <c>sub</c> = the uid, an hour of validity from the given clock.
/// </summary>
public static class TestTokens
{
    public const string ProjectId = "demo-authapp";

    public static string For(string uid, TimeProvider clock, TimeSpan? lifetime = null, IReadOnlyDictionary<string, object?>? extraClaims = null)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = $"https://securetoken.google.com/{ProjectId}",
            ["aud"] = ProjectId,
            ["auth_time"] = now,
            ["user_id"] = uid,
            ["sub"] = uid,
            ["iat"] = now,
            ["exp"] = now + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            ["email"] = $"{uid}@example.com",
            ["email_verified"] = true,
            ["firebase"] = new Dictionary<string, object?>
            {
                ["identities"] = new Dictionary<string, object?> { ["email"] = new[] { $"{uid}@example.com" } },
                ["sign_in_provider"] = "password",
            },
        };
        foreach (var (name, value) in extraClaims ?? new Dictionary<string, object?>())
        {
            claims[name] = value;
        }

        return Encode(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" }, claims);
    }

    /// <summary>header.payload. with an empty signature, as an unsigned JWT is written.</summary>
    public static string Encode(object header, object payload) =>
        $"{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(header))}.{Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(payload))}.";
}
