using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// Verifies a Firebase ID token outside ASP.NET Core's authentication (the admin command, other hosts):
/// the same <see cref="FirebaseIdTokenValidation"/> as the API's bearer scheme, answered as a
/// <see cref="FirebaseToken"/> or a <see cref="FirebaseAuthException"/>.
/// </summary>
public sealed class FirebaseIdTokenVerifier(FirebaseIdTokenValidation validation)
{
    /// <summary>
    /// Throws <see cref="FirebaseAuthException"/> (<see cref="AuthErrorCode.IdTokenInvalid"/> or
    /// <see cref="AuthErrorCode.IdTokenExpired"/>), or <see cref="FirebaseServiceUnavailableException"/> when the
    /// signing keys cannot be fetched and none are known.
    /// </summary>
    public async ValueTask<FirebaseToken> VerifyIdTokenAsync(string idToken, CancellationToken cancellationToken = default)
    {
        var result = await validation.Handler.ValidateTokenAsync(idToken, validation.Parameters).ConfigureAwait(false);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt)
        {
            return ToFirebaseToken(jwt);
        }

        throw result.Exception switch
        {
            SecurityTokenExpiredException => new FirebaseAuthException(AuthErrorCode.IdTokenExpired, "The ID token has expired."),
            _ when await SigningKeysUnavailableAsync(cancellationToken).ConfigureAwait(false) =>
                new FirebaseServiceUnavailableException("The ID-token signing keys could not be fetched."),
            _ => new FirebaseAuthException(AuthErrorCode.IdTokenInvalid, "The ID token is invalid."),
        };
    }

    /// <summary>True when keys are needed but none could be fetched (so no token could be verified).</summary>
    public async Task<bool> SigningKeysUnavailableAsync(CancellationToken cancellationToken = default)
    {
        if (validation.SigningKeys is not { } keys)
        {
            return false;
        }

        try
        {
            await keys.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static FirebaseToken ToFirebaseToken(JsonWebToken jwt)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.EncodedPayload));
        var claims = document.RootElement.Clone().EnumerateObject()
            .ToDictionary(claim => claim.Name, claim => claim.Value, StringComparer.Ordinal);
        FirebaseIdTokenHandler.TryGetSeconds(jwt, "auth_time", out var authTime);
        FirebaseIdTokenHandler.TryGetSeconds(jwt, "iat", out var issuedAt);
        return new FirebaseToken(jwt.Subject, claims, authTime, issuedAt, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }
}
