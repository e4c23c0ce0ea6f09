using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace AuthApp.Api.Security;

/// <summary>
/// The ID token a request presented, and the name it is listed under once revoked on its own
/// (<c>users/{uid}/revokedTokens/{sha256}</c>): the token itself is a bearer credential and is never stored.
/// </summary>
public static class PresentedToken
{
    private const string Scheme = "Bearer ";

    /// <summary>A hash is this many lower-case hex digits (SHA-256).</summary>
    public const int HashLength = 64;

    /// <summary>
    /// The bearer token of <paramref name="context"/>, read from <c>Authorization</c> exactly as the JwtBearer handler
    /// reads it (the scheme case-insensitive, the rest trimmed), so it is the token that handler validated; null when
    /// there is none.
    /// </summary>
    public static string? Of(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorization[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }

    /// <summary>
    /// The SHA-256 of the token's text (UTF-8) as lower-case hex: a valid database key, and what the API compares with
    /// the user's revoked tokens. Computed only for users who have any (see <see cref="AccessRecord.Admits"/>).
    /// </summary>
    public static string HashOf(string token)
    {
        var length = Encoding.UTF8.GetByteCount(token);
        var rented = length <= 4096 ? null : ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Span<byte> bytes = rented ?? stackalloc byte[4096];
            var written = Encoding.UTF8.GetBytes(token, bytes);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..written], hash);
            return Convert.ToHexStringLower(hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>True for a key shaped as <see cref="HashOf"/> writes it; anything else under <c>revokedTokens</c> is ignored.</summary>
    public static bool IsHash(string key) => key.Length == HashLength && key.All(char.IsAsciiHexDigitLower);
}
