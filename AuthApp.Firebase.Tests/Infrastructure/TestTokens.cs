using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Tests.Infrastructure;

/// <summary>An RSA key with a self-signed certificate, made at test time, that mints Firebase-shaped ID tokens.</summary>
public sealed class SigningKey : IDisposable
{
    public SigningKey(string kid)
    {
        Kid = kid;
        Rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=securetoken test", Rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificatePem = certificate.ExportCertificatePem();
    }

    public string Kid { get; }

    public RSA Rsa { get; }

    public string CertificatePem { get; }

    public void Dispose() => Rsa.Dispose();
}

public static class TestTokens
{
    public static JsonObject Claims(DateTimeOffset now, string projectId = FirebaseTestHost.ProjectId, string uid = "user-123")
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

    public static string CertificatesJson(params SigningKey[] keys) =>
        JsonSerializer.Serialize(keys.ToDictionary(k => k.Kid, k => k.CertificatePem));
}
