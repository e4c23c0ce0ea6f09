using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.Firebase.Tests.Authentication;

public sealed class IdTokenVerificationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // RSA key generation is slow; every test shares the two keys.
    private static readonly SigningKey SharedKey = new("key-1");
    private static readonly SigningKey SharedOtherKey = new("key-2");

    private readonly SigningKey _key = SharedKey;
    private readonly SigningKey _otherKey = SharedOtherKey;
    private readonly FakeTimeProvider _time = new(Start);
    private CertificateServer _certificates = null!;
    private IHost _host = null!;

    private FirebaseIdTokenVerifier Verifier => _host.Services.GetRequiredService<FirebaseIdTokenVerifier>();

    public async ValueTask InitializeAsync()
    {
        _certificates = await CertificateServer.StartAsync(_key);
        _host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:IdTokenCertificatesUrl", _certificates.Url.ToString())),
            builder => builder.Services.AddSingleton<TimeProvider>(_time));
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _certificates.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_token_is_accepted_with_its_claims()
    {
        var token = await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start)), TestContext.Current.CancellationToken);

        Assert.Equal("user-123", token.Uid);
        Assert.Equal("someone@example.com", token.Email);
        Assert.True(token.EmailVerified);
        Assert.Equal("password", token.SignInProvider);
        Assert.Equal("admin", token.Claims["role"].GetString());
        Assert.Equal(Start.AddSeconds(-10), token.AuthTime);
        Assert.Equal(Start.AddSeconds(-10), token.IssuedAt);
        Assert.Equal(Start.AddSeconds(3590), token.ExpiresAt);
    }

    [Fact]
    public async Task Keys_are_fetched_once_across_many_verifications()
    {
        var jwt = TestTokens.Sign(_key, TestTokens.Claims(Start));
        for (var i = 0; i < 200; i++)
        {
            await Verifier.VerifyIdTokenAsync(jwt, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, _certificates.Requests);
    }

    [Fact]
    public async Task Keys_are_fetched_again_after_their_max_age()
    {
        _certificates.MaxAgeSeconds = 600;
        await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start)), TestContext.Current.CancellationToken);
        _time.Advance(TimeSpan.FromMinutes(11));
        await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(_time.GetUtcNow())), TestContext.Current.CancellationToken);

        Assert.Equal(2, _certificates.Requests);
    }

    [Fact]
    public async Task A_rotated_key_triggers_exactly_one_refetch_under_concurrent_calls()
    {
        await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start)), TestContext.Current.CancellationToken);
        _certificates.Json = TestTokens.CertificatesJson(_key, _otherKey);
        _time.Advance(FirebaseIdTokenVerifier.MinimumRefetchInterval + TimeSpan.FromSeconds(1));
        var jwt = TestTokens.Sign(_otherKey, TestTokens.Claims(_time.GetUtcNow()));

        var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ =>
            Task.Run(async () => await Verifier.VerifyIdTokenAsync(jwt, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));

        Assert.All(results, token => Assert.Equal("user-123", token.Uid));
        Assert.Equal(2, _certificates.Requests);
    }

    [Fact]
    public async Task Garbage_key_ids_do_not_cause_a_refetch_storm()
    {
        await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start)), TestContext.Current.CancellationToken);
        for (var i = 0; i < 50; i++)
        {
            var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
                await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start), kid: $"garbage-{i}"), TestContext.Current.CancellationToken));
            Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
        }

        Assert.Equal(1, _certificates.Requests);

        _time.Advance(FirebaseIdTokenVerifier.MinimumRefetchInterval + TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
            await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(_time.GetUtcNow()), kid: "garbage-late"), TestContext.Current.CancellationToken));
        Assert.Equal(2, _certificates.Requests);
    }

    public static TheoryData<string> Tamperings => new()
    {
        "forged", "wrong-audience", "wrong-issuer", "alg-none", "hs256", "tampered-signature", "tampered-payload",
        "unknown-kid", "empty-sub", "long-sub", "future-iat", "future-auth-time", "missing-exp", "not-a-jwt", "missing-kid",
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_token_that_fails_a_check_is_rejected_as_invalid(string tampering)
    {
        var claims = TestTokens.Claims(Start);
        var valid = TestTokens.Sign(_key, claims);
        var jwt = tampering switch
        {
            "forged" => TestTokens.Sign(_otherKey, claims, kid: _key.Kid),
            "wrong-audience" => TestTokens.Sign(_key, With(claims, "aud", "other-project")),
            "wrong-issuer" => TestTokens.Sign(_key, With(claims, "iss", "https://securetoken.google.com/other-project")),
            "alg-none" => TestTokens.Unsigned(claims, _key.Kid),
            "hs256" => TestTokens.Hs256(RandomNumberGenerator.GetBytes(32), claims, _key.Kid),
            "tampered-signature" => valid[..^4] + (valid[^4] == 'A' ? "B" : "A") + valid[^3..],
            "tampered-payload" => string.Join('.', valid.Split('.')[0], TestTokens.Encode(With(claims, "sub", "someone-else")), valid.Split('.')[2]),
            "unknown-kid" => TestTokens.Sign(_otherKey, claims),
            "empty-sub" => TestTokens.Sign(_key, With(claims, "sub", "")),
            "long-sub" => TestTokens.Sign(_key, With(claims, "sub", new string('u', 129))),
            "future-iat" => TestTokens.Sign(_key, With(claims, "iat", Start.AddMinutes(5).ToUnixTimeSeconds())),
            "future-auth-time" => TestTokens.Sign(_key, With(claims, "auth_time", Start.AddMinutes(5).ToUnixTimeSeconds())),
            "missing-exp" => TestTokens.Sign(_key, Without(claims, "exp")),
            "not-a-jwt" => "not.a-jwt",
            "missing-kid" => TestTokens.Sign(_key, claims, kid: ""),
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
            await Verifier.VerifyIdTokenAsync(jwt, TestContext.Current.CancellationToken));

        Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
        Assert.DoesNotContain(jwt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_rejected_as_expired_once_the_clock_skew_has_passed()
    {
        var jwt = TestTokens.Sign(_key, TestTokens.Claims(Start));
        _time.Advance(TimeSpan.FromSeconds(3590 + 30)); // expired, but within the 1 min skew
        await Verifier.VerifyIdTokenAsync(jwt, TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
            await Verifier.VerifyIdTokenAsync(jwt, TestContext.Current.CancellationToken));

        Assert.Equal(AuthErrorCode.IdTokenExpired, error.Code);
    }

    [Fact]
    public async Task A_token_issued_slightly_in_the_future_is_accepted_within_the_clock_skew()
    {
        var token = await Verifier.VerifyIdTokenAsync(
            TestTokens.Sign(_key, With(TestTokens.Claims(Start), "iat", Start.AddSeconds(30).ToUnixTimeSeconds())),
            TestContext.Current.CancellationToken);

        Assert.Equal("user-123", token.Uid);
    }

    [Fact]
    public async Task An_unreachable_certificate_endpoint_is_reported_as_unavailable()
    {
        await _certificates.DisposeAsync();

        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(async () =>
            await Verifier.VerifyIdTokenAsync(TestTokens.Sign(_key, TestTokens.Claims(Start)), TestContext.Current.CancellationToken));
    }

    private static JsonObject With(JsonObject claims, string name, JsonNode? value)
    {
        var copy = claims.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }

    private static JsonObject Without(JsonObject claims, string name)
    {
        var copy = claims.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }
}
