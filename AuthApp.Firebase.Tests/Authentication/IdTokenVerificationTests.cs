using System.Security.Cryptography;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace AuthApp.Firebase.Tests.Authentication;

/// <summary>
/// Signed ID tokens through the library's verifier (the same validation the API's bearer scheme uses), against a
/// local stand-in for Google's key discovery. The clock is fake; the key endpoint is real HTTP.
/// </summary>
public sealed class IdTokenVerificationTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    // RSA key generation is slow; every test shares the two keys.
    private static readonly SigningKey SharedKey = new("key-1");
    private static readonly SigningKey SharedOtherKey = new("key-2");

    private readonly SigningKey _key = SharedKey;
    private readonly SigningKey _otherKey = SharedOtherKey;
    private readonly FakeTimeProvider _time = new(Start);
    private SigningKeyServer _keys = null!;
    private IHost _host = null!;

    private FirebaseIdTokenVerifier Verifier => _host.Services.GetRequiredService<FirebaseIdTokenVerifier>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _keys = await SigningKeyServer.StartAsync(FirebaseTestHost.ProjectId, _key);
        _host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:IdTokenMetadataAddress", _keys.MetadataAddress.ToString())),
            builder => builder.Services.AddSingleton<TimeProvider>(_time));
    }

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await _keys.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_token_is_accepted_with_its_claims()
    {
        var token = await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start)), Ct);

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
    public async Task Keys_are_fetched_once_across_many_verifications_of_many_tokens()
    {
        for (var i = 0; i < 50; i++)
        {
            await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start, uid: $"user-{i}")), Ct);
        }

        Assert.Equal(1, _keys.KeyRequests);
    }

    [Fact]
    public async Task A_rotated_key_is_picked_up_with_one_refetch_under_concurrent_calls()
    {
        await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start)), Ct);
        _keys.Keys = [_key, _otherKey];
        var jwt = IdTokens.Sign(_otherKey, IdTokens.Claims(Start));

        // The library refreshes in the background when it meets an unknown kid: the first calls may still fail.
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            try
            {
                await Verifier.VerifyIdTokenAsync(jwt, Ct);
            }
            catch (FirebaseAuthException)
            {
            }
        }, Ct)));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                return (await Verifier.VerifyIdTokenAsync(jwt, Ct)).Uid == "user-123";
            }
            catch (FirebaseAuthException)
            {
                return false;
            }
        }, "the rotated key was never accepted", TimeSpan.FromSeconds(10));

        Assert.Equal(2, _keys.KeyRequests);
    }

    [Fact]
    public async Task Garbage_key_ids_do_not_cause_a_refetch_storm()
    {
        await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start)), Ct);
        for (var i = 0; i < 50; i++)
        {
            var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
                await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start), kid: $"garbage-{i}"), Ct));
            Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
        }

        // At most one refresh for the whole burst (the minimum refresh interval is 30 s).
        Assert.InRange(_keys.KeyRequests, 1, 2);
    }

    public static TheoryData<string> Tamperings => new()
    {
        "forged", "wrong-audience", "wrong-issuer", "alg-none", "alg-none-with-known-kid", "hs256", "tampered-signature",
        "tampered-payload", "unknown-kid", "empty-sub", "long-sub", "sub-with-slash", "future-iat",
        "missing-iat", "future-auth-time", "missing-auth-time", "missing-exp", "not-a-jwt", "missing-kid", "garbage-signature",
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_token_that_fails_a_check_is_rejected_as_invalid(string tampering)
    {
        var claims = IdTokens.Claims(Start);
        var valid = IdTokens.Sign(_key, claims);
        var jwt = tampering switch
        {
            "forged" => IdTokens.Sign(_otherKey, claims, kid: _key.Kid),
            "wrong-audience" => IdTokens.Sign(_key, claims.With("aud", "other-project")),
            "wrong-issuer" => IdTokens.Sign(_key, claims.With("iss", "https://securetoken.google.com/other-project")),
            "alg-none" => IdTokens.Unsigned(claims),
            "alg-none-with-known-kid" => IdTokens.Unsigned(claims, _key.Kid),
            "hs256" => IdTokens.Hs256(RandomNumberGenerator.GetBytes(32), claims, _key.Kid),
            "tampered-signature" => valid[..^4] + (valid[^4] == 'A' ? "B" : "A") + valid[^3..],
            "tampered-payload" => string.Join('.', valid.Split('.')[0], IdTokens.Encode(claims.With("sub", "someone-else")), valid.Split('.')[2]),
            "unknown-kid" => IdTokens.Sign(_otherKey, claims),
            "empty-sub" => IdTokens.Sign(_key, claims.With("sub", "")),
            "long-sub" => IdTokens.Sign(_key, claims.With("sub", new string('u', 129))),
            "sub-with-slash" => IdTokens.Sign(_key, claims.With("sub", "victim/venues")),
            "future-iat" => IdTokens.Sign(_key, claims.With("iat", Start.AddMinutes(5).ToUnixTimeSeconds())),
            "missing-iat" => IdTokens.Sign(_key, claims.Without("iat")),
            "future-auth-time" => IdTokens.Sign(_key, claims.With("auth_time", Start.AddMinutes(5).ToUnixTimeSeconds())),
            "missing-auth-time" => IdTokens.Sign(_key, claims.Without("auth_time")),
            "missing-exp" => IdTokens.Sign(_key, claims.Without("exp")),
            "not-a-jwt" => "not.a-jwt",
            "missing-kid" => IdTokens.Sign(_key, claims, kid: ""),
            "garbage-signature" => string.Join('.', valid.Split('.')[0], valid.Split('.')[1], "%%%%"),
            _ => throw new ArgumentOutOfRangeException(nameof(tampering)),
        };

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () => await Verifier.VerifyIdTokenAsync(jwt, Ct));

        Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
        Assert.DoesNotContain(jwt, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_token_is_rejected_as_expired_once_the_clock_skew_has_passed()
    {
        var jwt = IdTokens.Sign(_key, IdTokens.Claims(Start));
        _time.Advance(TimeSpan.FromSeconds(3590 + 30)); // expired, but within the 1 min skew
        await Verifier.VerifyIdTokenAsync(jwt, Ct);

        _time.Advance(TimeSpan.FromSeconds(31));
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () => await Verifier.VerifyIdTokenAsync(jwt, Ct));

        Assert.Equal(AuthErrorCode.IdTokenExpired, error.Code);
    }

    [Fact]
    public async Task A_remembered_token_is_not_accepted_past_its_expiry()
    {
        var jwt = IdTokens.Sign(_key, IdTokens.Claims(Start));
        await Verifier.VerifyIdTokenAsync(jwt, Ct); // now in the cache of verified tokens

        _time.Advance(TimeSpan.FromSeconds(3590 + 61));

        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () => await Verifier.VerifyIdTokenAsync(jwt, Ct));
        Assert.Equal(AuthErrorCode.IdTokenExpired, error.Code);
    }

    [Fact]
    public async Task A_token_issued_slightly_in_the_future_is_accepted_within_the_clock_skew()
    {
        var token = await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start).With("iat", Start.AddSeconds(30).ToUnixTimeSeconds())), Ct);

        Assert.Equal("user-123", token.Uid);
    }

    [Fact]
    public async Task An_unreachable_key_endpoint_is_reported_as_unavailable()
    {
        _keys.Available = false;

        await Assert.ThrowsAsync<FirebaseServiceUnavailableException>(async () =>
            await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start)), Ct));
    }

    [Fact]
    public async Task Known_keys_keep_working_while_the_key_endpoint_is_down()
    {
        await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start)), Ct);
        _keys.Available = false;

        var token = await Verifier.VerifyIdTokenAsync(IdTokens.Sign(_key, IdTokens.Claims(Start, uid: "other-user")), Ct);

        Assert.Equal("other-user", token.Uid);
    }

    [Fact]
    public async Task Unsigned_tokens_are_refused_when_emulator_tokens_are_not_accepted()
    {
        var error = await Assert.ThrowsAsync<FirebaseAuthException>(async () =>
            await Verifier.VerifyIdTokenAsync(IdTokens.Unsigned(IdTokens.Claims(Start)), Ct));

        Assert.Equal(AuthErrorCode.IdTokenInvalid, error.Code);
    }
}
