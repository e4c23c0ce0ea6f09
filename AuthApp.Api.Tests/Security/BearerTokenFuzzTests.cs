using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AuthApp.Api.Tests.Security;

/// <summary>
/// Whatever arrives in <c>Authorization</c> is a 401, never a 5xx, and is logged at Debug at most: random and mutated
/// tokens thrown at the real bearer handler on production's path (RS256, a known key id).
/// </summary>
public sealed class BearerTokenFuzzTests(ApiDependencies dependencies) : IAsyncLifetime
{
    private SignedTokens _tokens = null!;
    private ApiFactory _api = null!;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _tokens = await SignedTokens.StartAsync();
        // The API's own categories at Debug, the framework's as appsettings.json sets them.
        _api = new ApiFactory(dependencies, settings: _tokens.Settings(("Logging:LogLevel:Default", "Debug"), ("Logging:Console:LogLevel:Default", "Warning")));
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        await _tokens.DisposeAsync();
    }

    /// <summary>A token the API would accept (the test key, a user's claims): the seed of the mutations.</summary>
    private static readonly string ValidToken = IdTokens.Sign(SignedTokens.TestKey, IdTokens.Claims(DateTimeOffset.UtcNow));

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    private static string B64(string text) => B64(Encoding.UTF8.GetBytes(text));

    /// <summary>A header naming the test key, with an alg from a small set of plausible and hostile values.</summary>
    private static readonly Gen<string> Header = Gen.OneOf(
        Gen.Const(B64("""{"alg":"RS256","kid":"test-key-1","typ":"JWT"}""")),
        Gen.OneOf(Gen.Const("none"), Gen.Const("HS256"), Gen.Const("RS512"), Gen.Const("ES256"), Gen.Const(""), Gen.String[0, 20])
            .Select(alg => B64(new JsonObject { ["alg"] = alg, ["kid"] = "test-key-1" }.ToJsonString())),
        // Lone surrogates and invalid UTF-8 in alg or kid.
        Gen.Char['\uD800', '\uDFFF'].Select(c => B64($$"""{"alg":"RS256","kid":"a{{c}}b"}""")),
        Gen.Byte.Array[1, 8].Select(bytes => B64([.. "{\"alg\":\""u8, .. bytes, .. "\",\"kid\":\"test-key-1\"}"u8])),
        Gen.Byte.Array[1, 8].Select(bytes => B64([.. "{\"alg\":\"RS256\",\"kid\":\""u8, .. bytes, .. "\"}"u8])));

    private static readonly Gen<string> Payload = Gen.OneOf(
        Gen.Const(B64(IdTokens.Claims(DateTimeOffset.UtcNow).ToJsonString())),
        Gen.Const(B64(IdTokens.Claims(DateTimeOffset.UtcNow).With("sub", "victim/venues").ToJsonString())),
        Gen.Int[1, 3000].Select(depth => B64(new string('[', depth) + new string(']', depth))),
        Gen.Int[1, 20].Select(kilobytes => B64("{\"sub\":\"" + new string('x', kilobytes * 1024) + "\"}")),
        Gen.String[Gen.Char, 0, 200].Select(B64),
        Gen.Byte.Array[0, 200].Select(B64));

    /// <summary>Segments that are not, or not quite, base64url.</summary>
    private static readonly Gen<string> BrokenSegment = Gen.OneOf(
        Gen.Const("%%%%"), Gen.Const("%%%"), Gen.Const("=="), Gen.Const("a"), Gen.Const("abcde"), Gen.Const(""),
        Gen.String[Gen.Char["+/=%$#!~ \t.-_AZaz09"], 0, 40],
        Gen.String[Gen.Char, 0, 40],
        Gen.Char['\uD800', '\uDFFF'].Array[1, 4].Select(chars => new string(chars)),
        Gen.Byte.Array[0, 300].Select(B64).Select(s => s + "=="));

    private static readonly Gen<string> Signature = Gen.OneOf(
        BrokenSegment,
        Gen.Byte.Array[0, 512].Select(B64),
        Gen.Byte.Array[256].Select(B64));

    private static readonly Gen<string> Token = Gen.Frequency(
        (4, Gen.Select(Header, Payload, Signature, (h, p, s) => $"{h}.{p}.{s}")),
        (2, Gen.Select(BrokenSegment, BrokenSegment, BrokenSegment, (h, p, s) => $"{h}.{p}.{s}")),
        (1, Gen.String[Gen.Char, 0, 3000]),
        (1, BrokenSegment.Array[0, 6].Select(parts => string.Join('.', parts))),
        (2, Gen.Select(Gen.Int[0, 1000], Gen.Char, Gen.Int[0, 2], (at, c, how) => Mutate(ValidToken, at, c, how)).Where(token => !SameAsValid(token))));

    /// <summary>Base64url has slack in its last character: a "mutation" there may decode to the very same token.</summary>
    private static bool SameAsValid(string token)
    {
        var parts = token.Split('.');
        var valid = ValidToken.Split('.');
        try
        {
            return parts.Length == 3 && parts.Select((part, i) => Base64Url.DecodeFromChars(part).SequenceEqual(Base64Url.DecodeFromChars(valid[i]))).All(same => same);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Mutate(string token, int at, char c, int how)
    {
        at %= token.Length;
        return how switch
        {
            0 => token[..at] + c + token[(at + 1)..],
            1 => token[..at] + c + token[at..],
            _ => token[..at],
        };
    }

    /// <summary>20,000 in the suite, a few seconds; 100,000 and more with <c>CsCheck_Iter</c>.</summary>
    private static readonly long Tokens = PropertyRuns.Iterations(20_000);

    [Fact]
    public void Random_and_mutated_tokens_are_each_refused_without_an_error()
    {
        var scopes = _api.Services.GetRequiredService<IServiceScopeFactory>();
        var count = 0;

        Token.Sample(token =>
        {
            // One scope per token, as per request: the handler instances are per request.
            using var scope = scopes.CreateScope();
            var authentication = scope.ServiceProvider.GetRequiredService<IAuthenticationService>();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Request.Headers.Authorization = "Bearer " + token;
            var result = authentication.AuthenticateAsync(context, JwtBearerDefaults.AuthenticationScheme).GetAwaiter().GetResult();
            Assert.False(result.Succeeded, "a garbage token authenticated");
            authentication.ChallengeAsync(context, JwtBearerDefaults.AuthenticationScheme, null).GetAwaiter().GetResult();
            Assert.Equal(StatusCodes.Status401Unauthorized, context.Response.StatusCode);
            Interlocked.Increment(ref count);
        }, iter: Tokens);

        Assert.True(count >= Tokens, $"{count} of {Tokens} tokens were tried");
        // What verifies tokens logs nothing above Debug. (Other background work of the same process, e.g. a readiness
        // probe's Redis call timing out on a loaded machine, may log meanwhile: not this test's concern.)
        static bool VerifiesTokens(FakeLogRecord log) => log.Category is { } category
            && (category.Contains("Authentication", StringComparison.Ordinal) || category.StartsWith("AuthApp.Api.Security", StringComparison.Ordinal));
        Assert.DoesNotContain(_api.Logs.AtLeast(LogLevel.Information), VerifiesTokens);
        Assert.DoesNotContain(_api.Logs.GetSnapshot(), log => log.Exception is not null && VerifiesTokens(log));
        Assert.Contains(_api.Logs.GetSnapshot(), log => log.Level == LogLevel.Debug && log.Message.StartsWith("Bearer token refused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Garbage_bearer_headers_are_401_on_protected_routes_and_ignored_elsewhere()
    {
        var garbage = new[]
        {
            "a.b.c", "%%%.%%%.%%%", "eyJhbGciOiJSUzI1NiJ9==.e30.e30", "abcde.abcde.abcde",
            B64("{\"alg\":\"RS256\",\"kid\":\"test-key-1\"}") + "." + B64("{}") + ".%%%%",
            B64("{\"alg\":\"\uD800\",\"kid\":\"test-key-1\"}") + ".e30.",
            B64([.. "{\"alg\":\""u8, 0xC3, 0x28, .. "\",\"kid\":\"test-key-1\"}"u8]) + ".e30.AAAA",
            ValidToken.Split('.')[0] + "." + ValidToken.Split('.')[1] + ".%%%%",
        };
        using var client = _api.CreateClient();
        foreach (var token in garbage)
        {
            foreach (var (method, path) in new[] { (HttpMethod.Get, "/auth/profile"), (HttpMethod.Get, "/health"), (HttpMethod.Post, "/auth/login"), (HttpMethod.Delete, "/auth/account") })
            {
                using var request = new HttpRequestMessage(method, path);
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
                if (method == HttpMethod.Post)
                {
                    request.Content = ProblemResponses.Json("""{"email":"nobody@example.com","password":"wrong-password"}""");
                }

                using var response = await client.SendAsync(request, Cancellation);

                Assert.True((int)response.StatusCode < 500, $"{method} {path} with '{token}' answered {(int)response.StatusCode}");
                if (path is "/auth/profile" or "/auth/account")
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                }
            }
        }

        Assert.Empty(_api.Logs.AtLeast(LogLevel.Error));
    }
}
