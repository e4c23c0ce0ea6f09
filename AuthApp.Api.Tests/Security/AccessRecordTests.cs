using System.Text.Json.Nodes;
using AuthApp.Api.Security;
using CsCheck;

namespace AuthApp.Api.Tests.Security;

/// <summary>
/// The access record's revocation: a sign-in before <c>validSince</c> or <c>revokedBefore</c> is refused, and so is a
/// listed token whatever its sign-in; <c>revokedBefore</c> and <c>revokedTokens</c> are read from any JSON shape
/// without throwing, a malformed part ignored.
/// </summary>
public sealed class AccessRecordTests
{
    private static readonly DateTimeOffset Revoked = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600);

    private static readonly string Token = IdTokens.Unsigned(IdTokens.Claims(Revoked));

    private static AccessRecord Record(DateTimeOffset? validSince = null, DateTimeOffset? revokedBefore = null, params string[] revokedTokens) =>
        new(Exists: true, Disabled: false, validSince, VerifiedAccess: true, revokedBefore, revokedTokens);

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    public void A_sign_in_is_admitted_from_the_second_of_the_revocation_on(int secondsAfter, bool admitted)
    {
        var authTime = Revoked.AddSeconds(secondsAfter);

        Assert.Equal(admitted, Record(revokedBefore: Revoked).Admits(authTime, Token));
        Assert.Equal(admitted, Record(validSince: Revoked).Admits(authTime, Token));
        Assert.Equal(admitted, Record(validSince: Revoked.AddHours(-1), revokedBefore: Revoked).Admits(authTime, Token));
        Assert.Equal(admitted, Record(validSince: Revoked, revokedBefore: Revoked.AddHours(-1)).Admits(authTime, Token));
    }

    [Fact]
    public void A_listed_token_is_refused_even_when_signed_in_in_the_second_of_the_revocation()
    {
        var record = Record(validSince: Revoked, revokedBefore: Revoked, PresentedToken.HashOf(Token));

        Assert.False(record.Admits(Revoked, Token));
        Assert.True(record.Admits(Revoked, IdTokens.Unsigned(IdTokens.Claims(Revoked).With("iat", Revoked.ToUnixTimeSeconds() + 1))));
    }

    [Fact]
    public void Without_the_presented_token_a_user_with_listed_tokens_is_refused()
    {
        Assert.False(Record(revokedTokens: [PresentedToken.HashOf(Token)]).Admits(Revoked, idToken: null));
        Assert.True(Record().Admits(Revoked, idToken: null));
    }

    [Fact]
    public void The_hash_is_the_sha256_of_the_token_in_lower_case_hex()
    {
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", PresentedToken.HashOf("test"));
        var longToken = new string('a', 10_000); // past the stack buffer
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(longToken))), PresentedToken.HashOf(longToken));
        Assert.True(PresentedToken.IsHash(PresentedToken.HashOf(Token)));
    }

    [Fact]
    public void Revocation_fields_are_read_as_the_server_writes_them()
    {
        var hash = PresentedToken.HashOf(Token);
        var node = JsonNode.Parse($$"""{"revokedBefore": 1767225600, "revokedTokens": {"{{hash}}": 1767229200 } }""");

        var (before, tokens) = AccessRecords.ReadRevocation(node);

        Assert.Equal(Revoked, before);
        Assert.Equal([hash], tokens);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("5")]
    [InlineData("[1, 2]")]
    [InlineData("""{"revokedBefore": "1767225600"}""")]
    [InlineData("""{"revokedBefore": -1}""")]
    [InlineData("""{"revokedBefore": 1767225600000000}""")]
    [InlineData("""{"revokedBefore": 1e300}""")]
    [InlineData("""{"revokedBefore": true}""")]
    [InlineData("""{"revokedBefore": {"a": 1}}""")]
    [InlineData("""{"revokedTokens": "x"}""")]
    [InlineData("""{"revokedTokens": [1, 2, 3]}""")]
    [InlineData("""{"revokedTokens": {"not-a-hash": 1, "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08": 1}}""")]
    public void Malformed_revocation_fields_are_ignored(string json)
    {
        var (before, tokens) = AccessRecords.ReadRevocation(JsonNode.Parse(json));

        Assert.Null(before);
        Assert.Empty(tokens);
    }

    [Fact]
    public void A_listed_hash_counts_whatever_its_value()
    {
        var hash = PresentedToken.HashOf(Token);

        var (_, tokens) = AccessRecords.ReadRevocation(JsonNode.Parse($$"""{"revokedTokens": {"{{hash}}": "soon" } }"""));

        Assert.Equal([hash], tokens);
    }

    /// <summary>Any JSON at all where the revocation fields are: never an exception.</summary>
    [Fact]
    public void Reading_the_revocation_fields_never_throws()
    {
        var leaf = Gen.OneOf<JsonNode?>(
            Gen.Bool.Select(_ => (JsonNode?)null),
            Gen.Bool.Select(value => (JsonNode?)JsonValue.Create(value)),
            Gen.Long.Select(value => (JsonNode?)JsonValue.Create(value)),
            Gen.Double.Select(value => double.IsFinite(value) ? (JsonNode?)JsonValue.Create(value) : null),
            Gen.String[Gen.Char, 0, 70].Select(value => (JsonNode?)JsonValue.Create(value)));
        var key = Gen.OneOf(Gen.Const("revokedBefore"), Gen.Const("revokedTokens"), Gen.String[Gen.Char["0123456789abcdefABCDEF"], 60, 66], Gen.String[0, 10]);
        var inner = Gen.Dictionary(key, leaf)[0, 6].Select(entries => (JsonNode?)new JsonObject(entries!));
        var node = Gen.OneOf(
            leaf,
            inner,
            Gen.Dictionary(key, Gen.OneOf(leaf, inner))[0, 6].Select(entries => (JsonNode?)new JsonObject(entries!)),
            Gen.OneOf(leaf, inner).Array[0, 5].Select(items => (JsonNode?)new JsonArray(items)));

        node.Sample(value => _ = AccessRecords.ReadRevocation(value));
    }
}
