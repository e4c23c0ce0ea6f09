using System.ComponentModel.DataAnnotations;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Accounts;

/// <param name="AccessToken">
/// The signup license key (the original's field name). Missing, empty or blank is a 403 like a wrong key, as in the
/// original; only its length is a validation (400) matter.
/// </param>
public sealed record SignupRequest(
    [property: Required, EmailAddress, StringLength(254)] string? Email,
    [property: Required, StringLength(128, MinimumLength = 1)] string? Password,
    [property: Required, StringLength(UserDataLimits.MaxDisplayNameLength, MinimumLength = 1)] string? Name,
    [property: StringLength(100)] string? AccessToken);

public sealed record SignupResponse(string Uid);

public sealed record LoginRequest(
    [property: Required, StringLength(254)] string? Email,
    [property: Required, StringLength(128)] string? Password);

public sealed record RefreshRequest([property: Required, StringLength(4096)] string? RefreshToken);

/// <summary>The secure-token exchange as the original returned it (<c>expiresIn</c> in seconds, as text).</summary>
public sealed record RefreshResponse(string IdToken, string RefreshToken, string ExpiresIn);

public sealed record FcmTokenRequest([property: Required, StringLength(UserDataLimits.MaxFcmTokenLength, MinimumLength = 1)] string? Token);

public sealed record PasswordResetRequest([property: Required, EmailAddress, StringLength(254)] string? Email);

public sealed record TimeZoneRequest([property: Required, StringLength(64, MinimumLength = 1)] string? TimeZone);
