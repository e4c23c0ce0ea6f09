using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace AuthApp.Testing;

/// <summary>An RSA key, made at test time, that signs Firebase-shaped ID tokens as Google's would (RS256, with a <c>kid</c>).</summary>
public sealed class SigningKey(string kid) : IDisposable
{
    public string Kid { get; } = kid;

    public RSA Rsa { get; } = RSA.Create(2048);

    /// <summary>The public key as one JSON Web Key, as Google's JWKS endpoint lists it.</summary>
    public JsonObject Jwk()
    {
        var parameters = Rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["alg"] = "RS256",
            ["use"] = "sig",
            ["kid"] = Kid,
            ["n"] = Base64Url.EncodeToString(parameters.Modulus),
            ["e"] = Base64Url.EncodeToString(parameters.Exponent),
        };
    }

    public void Dispose() => Rsa.Dispose();
}

/// <summary>Mints Firebase ID tokens: signed ones (production's shape), unsigned ones (the Auth emulator's) and broken ones.</summary>
public static class IdTokens
{
    public static JsonObject Claims(DateTimeOffset now, string projectId = AuthEmulatorFixture.ProjectId, string uid = "user-123")
    {
        var seconds = now.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = $"https://securetoken.google.com/{projectId}",
            ["aud"] = projectId,
            ["auth_time"] = seconds - 10,
            ["user_id"] = uid,
            ["sub"] = uid,
            ["iat"] = seconds - 10,
            ["exp"] = seconds + 3590,
            ["email"] = "someone@example.com",
            ["email_verified"] = true,
            ["role"] = "admin",
            ["firebase"] = new JsonObject { ["sign_in_provider"] = "password" },
        };
    }

    /// <summary>
    /// Claims shaped as the Auth emulator issues them for <paramref name="uid"/>: signed in and issued at
    /// <paramref name="now"/>, valid for <paramref name="lifetime"/> (an hour), e-mail <c>{uid}@example.com</c>, a
    /// password sign-in. Sign them with <see cref="Unsigned"/>, as the emulator does.
    /// </summary>
    public static JsonObject EmulatorClaims(string uid, DateTimeOffset now, TimeSpan? lifetime = null, string projectId = AuthEmulatorFixture.ProjectId)
    {
        var seconds = now.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["iss"] = $"https://securetoken.google.com/{projectId}",
            ["aud"] = projectId,
            ["auth_time"] = seconds,
            ["user_id"] = uid,
            ["sub"] = uid,
            ["iat"] = seconds,
            ["exp"] = seconds + (long)(lifetime ?? TimeSpan.FromHours(1)).TotalSeconds,
            ["email"] = $"{uid}@example.com",
            ["email_verified"] = true,
            ["firebase"] = new JsonObject
            {
                ["identities"] = new JsonObject { ["email"] = new JsonArray($"{uid}@example.com") },
                ["sign_in_provider"] = "password",
            },
        };
    }

    public static string Sign(SigningKey key, JsonObject claims, string? kid = null, string alg = "RS256")
    {
        var header = new JsonObject { ["alg"] = alg, ["kid"] = kid ?? key.Kid, ["typ"] = "JWT" };
        var signed = Encode(header) + "." + Encode(claims);
        var signature = key.Rsa.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url.EncodeToString(signature);
    }

    public static string Hs256(byte[] secret, JsonObject claims, string kid)
    {
        var header = new JsonObject { ["alg"] = "HS256", ["kid"] = kid, ["typ"] = "JWT" };
        var signed = Encode(header) + "." + Encode(claims);
        return signed + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signed)));
    }

    public static string Unsigned(JsonObject claims, string? kid = null)
    {
        var header = new JsonObject { ["alg"] = "none", ["typ"] = "JWT" };
        if (kid is not null)
        {
            header["kid"] = kid;
        }

        return Encode(header) + "." + Encode(claims) + ".";
    }

    public static string Encode(JsonNode node) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(node.ToJsonString()));

    public static JsonObject DecodePayload(string jwt) =>
        JsonNode.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]))!.AsObject();

    public static JsonObject With(this JsonObject claims, string name, JsonNode? value)
    {
        var copy = claims.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    public static JsonObject Without(this JsonObject claims, string name)
    {
        var copy = claims.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }
}
