using System.Globalization;
using System.Security.Claims;

namespace AuthApp.Api.Security;

/// <summary>The claims of a verified Firebase ID token, as the bearer scheme leaves them (names unmapped).</summary>
public static class CurrentUser
{
    /// <summary>The Firebase uid of an authenticated request (<c>sub</c>; checked to be one database key).</summary>
    public static string Uid(this ClaimsPrincipal user) =>
        user.FindFirstValue(FirebaseClaims.Subject) ?? throw new InvalidOperationException("The request is not authenticated.");

    public static string? Email(this ClaimsPrincipal user) => user.FindFirstValue(FirebaseClaims.Email);

    /// <summary>When the user last signed in with their credentials (<c>auth_time</c>); a refreshed token keeps it.</summary>
    public static DateTimeOffset AuthTime(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(FirebaseClaims.AuthTime), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            && seconds >= 0 && seconds <= DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;

    /// <summary>When the token expires (<c>exp</c>, which the bearer scheme requires); null if it cannot be read.</summary>
    public static DateTimeOffset? ExpiresAt(this ClaimsPrincipal user) =>
        long.TryParse(user.FindFirstValue(FirebaseClaims.Expires), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            && seconds is >= 0 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}

public static class FirebaseClaims
{
    public const string Expires = "exp";
    public const string Subject = "sub";
    public const string Email = "email";
    public const string AuthTime = "auth_time";
}
