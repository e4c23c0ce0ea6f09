using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AuthApp.Firebase.Database;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// Validates Firebase ID tokens with <see cref="JsonWebTokenHandler"/> (signature, <c>iss</c>, <c>aud</c>,
/// <c>exp</c> as the <see cref="TokenValidationParameters"/> say), then Firebase's own rules: <c>sub</c> non-empty,
/// at most 128 characters and one database key (it becomes <c>users/{sub}</c>); <c>iat</c> and <c>auth_time</c>
/// present and not in the future. Whatever the input, the answer is a result, never an exception.
/// <para>
/// Tokens seen before are answered from a bounded cache keyed by the token's SHA-256, never past their
/// <c>exp</c>: the RSA check is the expensive part, and a client sends the same token for up to an hour.
/// Revocation is not this handler's business: callers check the user's state on every request.
/// </para>
/// </summary>
public sealed class FirebaseIdTokenHandler : JsonWebTokenHandler, IDisposable
{
    /// <summary>Firebase's limit for a uid.</summary>
    public const int MaxUidLength = 128;

    private const int MaxTokenLength = 16 * 1024;

    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;
    private readonly MemoryCache? _verified;

    public FirebaseIdTokenHandler(FirebaseOptions options, TimeProvider time)
    {
        _time = time;
        _skew = options.ClockSkew;
        MaximumTokenSizeInBytes = MaxTokenLength;
        MapInboundClaims = false;
        if (options.VerifiedTokenCacheSize > 0)
        {
            _verified = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.VerifiedTokenCacheSize });
        }
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return Invalid(new SecurityTokenMalformedException("The ID token is empty or too long."));
        }

        var key = _verified is null ? default : TokenHash.Of(token);
        if (_verified is not null && _verified.TryGetValue(key, out Verified? known) && known!.ExpiresAt > _time.GetUtcNow())
        {
            // The identity is shared between requests: nothing in the pipeline adds claims to it.
            return new TokenValidationResult { IsValid = true, SecurityToken = known.Token, ClaimsIdentity = known.Identity };
        }

        TokenValidationResult result;
        try
        {
            result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // The library answers nearly everything with an invalid result; whatever still escapes is the token's fault.
            return Invalid(new SecurityTokenMalformedException("The ID token could not be read.", exception));
        }

        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return result;
        }

        if (FirebaseRuleViolation(jwt) is { } violation)
        {
            return Invalid(new SecurityTokenValidationException(violation));
        }

        if (_verified is not null)
        {
            var expiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero);
            _verified.Set(key, new Verified(jwt, result.ClaimsIdentity, expiresAt), new MemoryCacheEntryOptions
            {
                Size = 1,
                // Housekeeping on the real clock; every hit also checks exp on the configured clock.
                AbsoluteExpirationRelativeToNow = expiresAt - _time.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.FromSeconds(1),
            });
        }

        return result;
    }

    private string? FirebaseRuleViolation(JsonWebToken jwt)
    {
        if (jwt.Subject is not { Length: > 0 and <= MaxUidLength } uid || !DatabasePath.IsValidKey(uid))
        {
            return "The ID token's subject (sub) must be 1 to 128 characters and a valid database key.";
        }

        var latest = _time.GetUtcNow() + _skew;
        if (!TryGetSeconds(jwt, "iat", out var issuedAt) || issuedAt > latest)
        {
            return "The ID token's issue time (iat) is missing or in the future.";
        }

        if (!TryGetSeconds(jwt, "auth_time", out var authTime) || authTime > latest)
        {
            return "The ID token's sign-in time (auth_time) is missing or in the future.";
        }

        return null;
    }

    /// <summary>A numeric date claim (whole seconds since the epoch), as Firebase writes them.</summary>
    public static bool TryGetSeconds(JsonWebToken jwt, string claim, out DateTimeOffset value)
    {
        var seconds = jwt.TryGetPayloadValue(claim, out object? raw) ? raw switch { long n => n, int n => n, _ => -1 } : -1;
        value = seconds is >= 0 and < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : default;
        return seconds is >= 0 and < 253402300800;
    }

    private static TokenValidationResult Invalid(Exception exception) => new() { IsValid = false, Exception = exception };

    public void Dispose() => _verified?.Dispose();

    private sealed record Verified(JsonWebToken Token, System.Security.Claims.ClaimsIdentity Identity, DateTimeOffset ExpiresAt);

    /// <summary>SHA-256 of the token: a cache key that cannot be forged by a token colliding with a verified one.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct TokenHash(UInt128 High, UInt128 Low)
    {
        public static TokenHash Of(string token)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(MemoryMarshal.AsBytes(token.AsSpan()), hash);
            return new TokenHash(MemoryMarshal.Read<UInt128>(hash), MemoryMarshal.Read<UInt128>(hash[16..]));
        }
    }
}
