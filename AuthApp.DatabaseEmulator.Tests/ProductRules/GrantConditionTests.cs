using System.Text.Json;

namespace AuthApp.DatabaseEmulator.Tests.ProductRules;

/// <summary>
/// Rules JSON has no macros, so the condition of every client grant on a user's data is written out at each grant.
/// These tests read <c>firebase/database.rules.json</c> as a document and fail when one copy differs from the others,
/// when a grant appears anywhere else, or when a location gains or loses a grant.
/// </summary>
public sealed class GrantConditionTests
{
    /// <summary>Owner, licensed (a flag only the server writes), and signed in at or after the account's last revocation.</summary>
    public const string Condition =
        "auth != null && auth.uid === $uid"
        + " && root.child('users').child($uid).child('verifiedAccess').val() === true"
        + " && (!root.child('users').child($uid).child('revokedBefore').exists()"
        + " || auth.token.auth_time >= root.child('users').child($uid).child('revokedBefore').val())";

    private static readonly string[] ReadWrite = ["name", "fcmToken", "timeZone", "venues", "schedules", "monitoring_venues"];

    private static readonly string[] ReadOnly = ["email", "verifiedAccess", "lastFaultNotification"];

    /// <summary>Every <c>.read</c>/<c>.write</c> of the document that is not <c>false</c>, by its location.</summary>
    private static List<(string Location, string Type, JsonElement Value)> Grants()
    {
        using var document = JsonDocument.Parse(ProductData.Rules, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var grants = new List<(string, string, JsonElement)>();
        Walk(document.RootElement.GetProperty("rules"), "", grants);
        return grants;

        static void Walk(JsonElement node, string location, List<(string, string, JsonElement)> found)
        {
            foreach (var member in node.EnumerateObject())
            {
                if (member.Name is ".read" or ".write")
                {
                    if (member.Value.ValueKind != JsonValueKind.False)
                    {
                        found.Add((location, member.Name, member.Value.Clone()));
                    }
                }
                else if (member.Value.ValueKind == JsonValueKind.Object)
                {
                    Walk(member.Value, $"{location}/{member.Name}", found);
                }
            }
        }
    }

    [Fact]
    public void Every_client_grant_carries_the_same_condition()
    {
        var differing = Grants()
            .Where(grant => grant.Value.ValueKind != JsonValueKind.String || grant.Value.GetString() != Condition)
            .Select(grant => $"{grant.Location}/{grant.Type}: {grant.Value}")
            .ToList();

        Assert.True(differing.Count == 0, "grants whose condition differs from the others:\n" + string.Join('\n', differing));
    }

    [Fact]
    public void Clients_are_granted_exactly_the_owners_fields_and_nothing_else()
    {
        var expected = ReadWrite.SelectMany(field => new[] { $"/users/$uid/{field}/.read", $"/users/$uid/{field}/.write" })
            .Concat(ReadOnly.Select(field => $"/users/$uid/{field}/.read"))
            .Order(StringComparer.Ordinal);

        var actual = Grants().Select(grant => $"{grant.Location}/{grant.Type}").Order(StringComparer.Ordinal);

        Assert.Equal(expected, actual);
    }
}
