using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Security;

/// <summary>
/// The API on production's path: RS256 tokens against a local stand-in for Google's keys, unsigned tokens refused.
/// Users are real (signed up through the Auth emulator); their tokens are signed by the test key.
/// </summary>
public sealed class TokenVerificationTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private SignedTokens _tokens = null!;
    private ApiFactory _api = null!;
    private ApiUser _user = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tokens = await SignedTokens.StartAsync();
        _api = new ApiFactory(dependencies, settings: _tokens.Settings());
        _user = await _api.SignUpAsync();
    }

    public async ValueTask DisposeAsync()
    {
        _user.Dispose();
        await _api.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    [Fact]
    public async Task A_token_signed_with_googles_key_for_a_real_user_is_accepted()
    {
        using var client = _api.CreateClient(_tokens.For(_user.Uid));

        var profile = await client.GetFromJsonAsync<JsonObject>("/auth/profile", Cancellation);

        Assert.Equal(_user.Uid, (string?)profile!["uid"]);
    }

    [Fact]
    public async Task The_auth_emulators_unsigned_token_is_refused_without_the_opt_in()
    {
        using var response = await _user.Client.GetAsync("/auth/profile", Cancellation); // the emulator's own, unsigned token

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    public static TheoryData<string> Forgeries => new()
    {
        "signed-by-another-key", "expired", "wrong-audience", "wrong-issuer", "alg-none", "hs256", "tampered-payload",
        "unknown-kid", "sub-reaching-another-subtree", "sub-too-long", "auth-time-in-the-future",
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_or_broken_token_is_401_and_logged_below_information(string forgery)
    {
        var uid = _user.Uid;
        var now = DateTimeOffset.UtcNow;
        using var otherKey = new SigningKey(SignedTokens.TestKey.Kid);
        var claims = IdTokens.Claims(now, uid: uid);
        var token = forgery switch
        {
            "signed-by-another-key" => IdTokens.Sign(otherKey, claims),
            "expired" => IdTokens.Sign(SignedTokens.TestKey, claims.With("exp", now.AddMinutes(-5).ToUnixTimeSeconds())),
            "wrong-audience" => IdTokens.Sign(SignedTokens.TestKey, claims.With("aud", "another-project")),
            "wrong-issuer" => IdTokens.Sign(SignedTokens.TestKey, claims.With("iss", "https://securetoken.google.com/another-project")),
            "alg-none" => IdTokens.Unsigned(claims, SignedTokens.TestKey.Kid),
            "hs256" => IdTokens.Hs256(RandomNumberGenerator.GetBytes(32), claims, SignedTokens.TestKey.Kid),
            "tampered-payload" => string.Join('.', _tokens.For(uid).Split('.')[0], IdTokens.Encode(claims.With("admin", true)), _tokens.For(uid).Split('.')[2]),
            "unknown-kid" => IdTokens.Sign(SignedTokens.TestKey, claims, kid: "no-such-key"),
            "sub-reaching-another-subtree" => IdTokens.Sign(SignedTokens.TestKey, claims.With("sub", uid + "/venues")),
            "sub-too-long" => IdTokens.Sign(SignedTokens.TestKey, claims.With("sub", new string('u', 129))),
            "auth-time-in-the-future" => IdTokens.Sign(SignedTokens.TestKey, claims.With("auth_time", now.AddMinutes(10).ToUnixTimeSeconds())),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };
        using var client = _api.CreateClient(token);

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(_api.Logs.AtLeast(Microsoft.Extensions.Logging.LogLevel.Error));
    }

    [Fact]
    public async Task An_expired_token_is_told_to_refresh()
    {
        var expired = IdTokens.Sign(SignedTokens.TestKey, IdTokens.Claims(DateTimeOffset.UtcNow, uid: _user.Uid)
            .With("exp", DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds()));
        using var client = _api.CreateClient(expired);

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("expired", (string?)problem["error"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_for_a_uid_with_no_account_is_refused()
    {
        using var client = _api.CreateClient(_tokens.For("no-such-user-" + Guid.NewGuid().ToString("N")));

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "token_revoked");
    }

    [Fact]
    public async Task Unreachable_signing_keys_with_none_known_are_a_503_not_a_401()
    {
        await using var keys = await SignedTokens.StartAsync();
        keys.Server.Available = false;
        await using var api = new ApiFactory(dependencies, settings: keys.Settings());
        using var client = api.CreateClient(keys.For(_user.Uid));

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "upstream_unavailable");
        Assert.NotNull(response.Headers.RetryAfter?.Delta);
    }
}
