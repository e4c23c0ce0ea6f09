using System.Text.Json;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// The result of sign-up or sign-in. <see cref="RawBody"/> is Identity Toolkit's response body as
/// received (old clients expect it unchanged). <see cref="ToString"/> leaves the tokens out.
/// </summary>
public sealed record SignInResult(
    string IdToken,
    string RefreshToken,
    TimeSpan ExpiresIn,
    string LocalId,
    string? Email,
    string? DisplayName,
    bool Registered,
    JsonElement RawBody)
{
    public override string ToString() => $"SignInResult {{ LocalId = {LocalId}, ExpiresIn = {ExpiresIn}, Registered = {Registered} }}";
}

/// <summary>A refreshed ID token (secure token exchange). <see cref="ToString"/> leaves the tokens out.</summary>
public sealed record RefreshResult(string IdToken, string RefreshToken, TimeSpan ExpiresIn, string UserId)
{
    public override string ToString() => $"RefreshResult {{ UserId = {UserId}, ExpiresIn = {ExpiresIn} }}";
}

/// <summary>A user account as Identity Toolkit stores it (password hashes are never kept).</summary>
public sealed record UserRecord(
    string Uid,
    string? Email,
    string? DisplayName,
    bool Disabled,
    bool EmailVerified,
    IReadOnlyDictionary<string, JsonElement> CustomClaims,
    DateTimeOffset? ValidSince,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? LastLoginAt)
{
    // No email in ToString: records end up in log lines.
    public override string ToString() => $"UserRecord {{ Uid = {Uid}, Disabled = {Disabled}, EmailVerified = {EmailVerified} }}";
}

/// <summary>
/// Changes to a user; <c>null</c> members are left as they are. <see cref="CustomClaims"/> replaces
/// all custom claims (an empty dictionary removes them). <see cref="ValidSince"/> revokes every
/// refresh token and every ID token issued before it.
/// </summary>
public sealed record UserUpdate
{
    public string? DisplayName { get; init; }
    public string? Email { get; init; }
    public string? Password { get; init; }
    public bool? Disabled { get; init; }
    public bool? EmailVerified { get; init; }
    public IReadOnlyDictionary<string, object?>? CustomClaims { get; init; }
    public DateTimeOffset? ValidSince { get; init; }

    public override string ToString() => "UserUpdate { ... }";
}

/// <summary>A verified Firebase ID token.</summary>
public sealed record FirebaseToken(
    string Uid,
    IReadOnlyDictionary<string, JsonElement> Claims,
    DateTimeOffset AuthTime,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt)
{
    public string? Email => Claims.TryGetValue("email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    public bool EmailVerified => Claims.TryGetValue("email_verified", out var v) && v.ValueKind == JsonValueKind.True;

    /// <summary><c>firebase.sign_in_provider</c>, e.g. <c>password</c>.</summary>
    public string? SignInProvider =>
        Claims.TryGetValue("firebase", out var f) && f.ValueKind == JsonValueKind.Object
        && f.TryGetProperty("sign_in_provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    public override string ToString() => $"FirebaseToken {{ Uid = {Uid}, ExpiresAt = {ExpiresAt:O} }}";
}
