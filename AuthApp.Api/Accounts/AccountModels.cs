using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AuthApp.Api.Accounts;

/// <param name="AccessToken">The signup license key (the original's field name).</param>
public sealed record SignupRequest(
    [property: Required, EmailAddress, StringLength(254)] string? Email,
    [property: Required, StringLength(128, MinimumLength = 1)] string? Password,
    [property: Required, StringLength(100, MinimumLength = 1)] string? Name,
    [property: Required, StringLength(100, MinimumLength = 1)] string? AccessToken);

public sealed record SignupResponse(string Uid);

public sealed record LoginRequest(
    [property: Required, StringLength(254)] string? Email,
    [property: Required, StringLength(128)] string? Password);

public sealed record RefreshRequest([property: Required, StringLength(4096)] string? RefreshToken);

/// <summary>The secure-token exchange as the original returned it (<c>expiresIn</c> in seconds, as text).</summary>
public sealed record RefreshResponse(string IdToken, string RefreshToken, string ExpiresIn);

public sealed record ProfileResponse(
    string Uid,
    string? Email,
    string? Name,
    JsonObject Venues,
    string Faults,
    bool VerifiedAccess,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TimeZone);

public sealed record FcmTokenRequest([property: Required, StringLength(4096, MinimumLength = 1)] string? Token);

public sealed record PasswordResetRequest([property: Required, EmailAddress, StringLength(254)] string? Email);

public sealed record TimeZoneRequest([property: Required, StringLength(64, MinimumLength = 1)] string? TimeZone);
