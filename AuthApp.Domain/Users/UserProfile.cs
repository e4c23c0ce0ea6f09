using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AuthApp.Domain.Users;

/// <summary>
/// The profile as the mobile clients read it (<c>GET /auth/profile</c>): <c>{uid, email, name, venues, faults,
/// verifiedAccess}</c>, plus <c>timeZone</c> when one is set. <see cref="Venues"/> is what
/// <see cref="Users.VenueData.ForClients"/> makes of the stored venues; <see cref="Faults"/> is the first venue's
/// fault text. Nothing else of the record (<c>secure/</c>, the license key, the push token) is part of it.
/// </summary>
public sealed record UserProfile(
    string Uid,
    string? Email,
    string? Name,
    JsonObject Venues,
    string Faults,
    bool VerifiedAccess,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TimeZone);
