using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using AuthApp.Firebase.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// Verifies Firebase ID tokens locally: RS256 against Google's published x509 certificates
/// (fetched once, cached for their <c>Cache-Control: max-age</c>, refetched on an unknown
/// <c>kid</c> at most once per <see cref="MinimumRefetchInterval"/>), then the claims.
/// With the Auth emulator, tokens are unsigned (<c>alg: none</c>) and only the claims are checked.
/// </summary>
public sealed partial class FirebaseIdTokenVerifier : IDisposable
{
    internal const string HttpClientName = "AuthApp.Firebase.PublicKeys";

    /// <summary>An unknown <c>kid</c> triggers at most one refetch per this interval (no refetch storm on garbage).</summary>
    public static readonly TimeSpan MinimumRefetchInterval = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan DefaultKeyLifetime = TimeSpan.FromHours(1);
    private const int MaxTokenLength = 16 * 1024;

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly FirebaseOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FirebaseIdTokenVerifier> _logger;
    private readonly string _issuer;
    private readonly long _skewSeconds;
    private readonly SemaphoreSlim _fetchGate = new(1, 1);
    private volatile KeySet? _keys;
    private int _fetchCount;

    public FirebaseIdTokenVerifier(
        IHttpClientFactory httpClientFactory,
        IOptions<FirebaseOptions> options,
        TimeProvider timeProvider,
        ILogger<FirebaseIdTokenVerifier> logger)
    {
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _issuer = "https://securetoken.google.com/" + _options.ProjectId;
        _skewSeconds = (long)_options.ClockSkew.TotalSeconds;
    }

    /// <summary>How many times the certificates were downloaded (for tests and diagnostics).</summary>
    internal int KeyFetchCount => Volatile.Read(ref _fetchCount);

    /// <summary>
    /// Verifies <paramref name="idToken"/> without a network call when the keys are cached.
    /// Throws <see cref="FirebaseAuthException"/> (<see cref="AuthErrorCode.IdTokenInvalid"/> or
    /// <see cref="AuthErrorCode.IdTokenExpired"/>), or <see cref="FirebaseServiceUnavailableException"/>
    /// when the keys cannot be fetched.
    /// </summary>
    public ValueTask<FirebaseToken> VerifyIdTokenAsync(string idToken, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(idToken) || idToken.Length > MaxTokenLength)
        {
            throw Invalid("The ID token is empty or too long.");
        }

        var first = idToken.IndexOf('.');
        var second = first < 0 ? -1 : idToken.IndexOf('.', first + 1);
        if (first <= 0 || second < 0 || idToken.IndexOf('.', second + 1) >= 0)
        {
            throw Invalid("The ID token is not a JWT.");
        }

        var header = ReadHeader(idToken.AsSpan(0, first));
        var signature = idToken.AsSpan(second + 1);

        if (_options.UsesAuthEmulator)
        {
            if (header.Alg != "none" || !signature.IsEmpty)
            {
                throw Invalid("The Auth emulator issues unsigned tokens; this one is not.");
            }

            return ValueTask.FromResult(ReadClaims(idToken, first, second));
        }

        if (header.Alg != "RS256")
        {
            throw Invalid("The ID token is not signed with RS256.");
        }

        if (string.IsNullOrEmpty(header.Kid))
        {
            throw Invalid("The ID token has no key id.");
        }

        var keys = _keys;
        if (keys is not null && _time.GetUtcNow() < keys.ExpiresAt && keys.Keys.TryGetValue(header.Kid, out var key))
        {
            return ValueTask.FromResult(VerifySigned(idToken, first, second, key));
        }

        return VerifySlowAsync(idToken, first, second, header.Kid, cancellationToken);
    }

    private async ValueTask<FirebaseToken> VerifySlowAsync(string idToken, int first, int second, string kid, CancellationToken cancellationToken)
    {
        var key = await GetKeyAsync(kid, cancellationToken).ConfigureAwait(false);
        return VerifySigned(idToken, first, second, key);
    }

    private FirebaseToken VerifySigned(string idToken, int first, int second, RSA key)
    {
        var signedLength = second;
        var signatureText = idToken.AsSpan(second + 1);
        byte[]? rentedData = null;
        Span<byte> data = signedLength <= 4096 ? stackalloc byte[signedLength] : (rentedData = ArrayPool<byte>.Shared.Rent(signedLength));
        Span<byte> signature = stackalloc byte[512];
        try
        {
            Encoding.ASCII.GetBytes(idToken.AsSpan(0, signedLength), data);
            if (!Base64Url.TryDecodeFromChars(signatureText, signature, out var signatureLength)
                || !key.VerifyData(data[..signedLength], signature[..signatureLength], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                throw Invalid("The ID token's signature is not valid.");
            }
        }
        finally
        {
            if (rentedData is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedData);
            }
        }

        return ReadClaims(idToken, first, second);
    }

    private FirebaseToken ReadClaims(string idToken, int first, int second)
    {
        JsonElement root;
        try
        {
            var payload = Base64Url.DecodeFromChars(idToken.AsSpan(first + 1, second - first - 1));
            using var document = JsonDocument.Parse(payload);
            root = document.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw Invalid("The ID token's payload is not valid JSON.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("The ID token's payload is not a JSON object.");
        }

        var claims = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            claims[property.Name] = property.Value;
        }

        if (!claims.TryGetValue("aud", out var aud) || aud.ValueKind != JsonValueKind.String || !aud.ValueEquals(_options.ProjectId))
        {
            throw Invalid("The ID token has an incorrect audience (aud).");
        }

        if (!claims.TryGetValue("iss", out var iss) || iss.ValueKind != JsonValueKind.String || !iss.ValueEquals(_issuer))
        {
            throw Invalid("The ID token has an incorrect issuer (iss).");
        }

        if (!claims.TryGetValue("sub", out var sub) || sub.ValueKind != JsonValueKind.String
            || sub.GetString() is not { Length: > 0 and <= 128 } uid)
        {
            throw Invalid("The ID token's subject (sub) is empty or longer than 128 characters.");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var exp = Seconds(claims, "exp");
        var iat = Seconds(claims, "iat");
        var authTime = Seconds(claims, "auth_time");

        if (exp <= now - _skewSeconds)
        {
            throw new FirebaseAuthException(AuthErrorCode.IdTokenExpired, "The ID token has expired.");
        }

        if (iat > now + _skewSeconds)
        {
            throw Invalid("The ID token was issued in the future (iat).");
        }

        if (authTime > now + _skewSeconds)
        {
            throw Invalid("The ID token's auth_time is in the future.");
        }

        return new FirebaseToken(
            uid,
            claims,
            DateTimeOffset.FromUnixTimeSeconds(authTime),
            DateTimeOffset.FromUnixTimeSeconds(iat),
            DateTimeOffset.FromUnixTimeSeconds(exp));
    }

    private static long Seconds(Dictionary<string, JsonElement> claims, string name)
    {
        if (claims.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is >= 0 and < 253402300800)
        {
            return seconds;
        }

        throw Invalid($"The ID token has no valid '{name}' claim.");
    }

    private static (string? Alg, string? Kid) ReadHeader(ReadOnlySpan<char> encoded)
    {
        Span<byte> buffer = stackalloc byte[1024];
        if (encoded.Length > 1300 || !Base64Url.TryDecodeFromChars(encoded, buffer, out var length))
        {
            throw Invalid("The ID token's header is not valid.");
        }

        string? alg = null, kid = null;
        try
        {
            var reader = new Utf8JsonReader(buffer[..length]);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw Invalid("The ID token's header is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isAlg = reader.ValueTextEquals("alg"u8);
                var isKid = !isAlg && reader.ValueTextEquals("kid"u8);
                reader.Read();
                if ((isAlg || isKid) && reader.TokenType == JsonTokenType.String)
                {
                    if (isAlg)
                    {
                        alg = reader.ValueTextEquals("RS256"u8) ? "RS256" : reader.ValueTextEquals("none"u8) ? "none" : reader.GetString();
                    }
                    else
                    {
                        kid = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            throw Invalid("The ID token's header is not valid JSON.");
        }

        return (alg, kid);
    }

    private async ValueTask<RSA> GetKeyAsync(string kid, CancellationToken cancellationToken)
    {
        await _fetchGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another caller may have fetched while this one waited.
            var keys = _keys;
            var now = _time.GetUtcNow();
            if (keys is not null && now < keys.ExpiresAt)
            {
                if (keys.Keys.TryGetValue(kid, out var known))
                {
                    return known;
                }

                if (now - keys.FetchedAt < MinimumRefetchInterval)
                {
                    throw Invalid("The ID token is signed with an unknown key (kid).");
                }
            }

            KeySet fresh;
            try
            {
                fresh = await FetchKeysAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (FirebaseException) when (keys is not null)
            {
                // Keep the last known keys for a while rather than failing every request.
                LogKeyFetchFailed(_logger);
                _keys = keys with { FetchedAt = now, ExpiresAt = now + MinimumRefetchInterval };
                return keys.Keys.TryGetValue(kid, out var stale) ? stale : throw Invalid("The ID token is signed with an unknown key (kid).");
            }

            _keys = fresh;
            return fresh.Keys.TryGetValue(kid, out var key) ? key : throw Invalid("The ID token is signed with an unknown key (kid).");
        }
        finally
        {
            _fetchGate.Release();
        }
    }

    private async Task<KeySet> FetchKeysAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _fetchCount);
        var client = _httpClientFactory.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, _options.IdTokenCertificatesUrl);
        using var response = await FirebaseHttp.SendAsync(client, request, "The ID-token certificate endpoint", cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new FirebaseServiceUnavailableException($"The ID-token certificate endpoint answered {(int)response.StatusCode}.", statusCode: response.StatusCode);
        }

        Dictionary<string, string>? pems;
        try
        {
            pems = await JsonSerializer.DeserializeAsync<Dictionary<string, string>>(
                await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            pems = null;
        }

        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        foreach (var (kid, pem) in pems ?? [])
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPem(pem);
                if (certificate.GetRSAPublicKey() is { } rsa)
                {
                    keys[kid] = rsa;
                }
            }
            catch (CryptographicException)
            {
                LogBadCertificate(_logger, kid);
            }
        }

        if (keys.Count == 0)
        {
            throw new FirebaseServiceUnavailableException("The ID-token certificate endpoint returned no usable certificate.");
        }

        var now = _time.GetUtcNow();
        var lifetime = response.Headers.CacheControl?.MaxAge ?? DefaultKeyLifetime;
        LogKeysFetched(_logger, keys.Count, lifetime);
        return new KeySet(keys, now, now + lifetime);
    }

    private static FirebaseAuthException Invalid(string message) => new(AuthErrorCode.IdTokenInvalid, message);

    public void Dispose()
    {
        _fetchGate.Dispose();
        foreach (var key in _keys?.Keys.Values ?? Enumerable.Empty<RSA>())
        {
            key.Dispose();
        }
    }

    private sealed record KeySet(Dictionary<string, RSA> Keys, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt);

    [LoggerMessage(1, LogLevel.Information, "Fetched {Count} ID-token signing certificates, cached for {Lifetime}")]
    private static partial void LogKeysFetched(ILogger logger, int count, TimeSpan lifetime);

    [LoggerMessage(2, LogLevel.Warning, "Refreshing the ID-token signing certificates failed; keeping the previous ones for now")]
    private static partial void LogKeyFetchFailed(ILogger logger);

    [LoggerMessage(3, LogLevel.Warning, "Ignoring an unreadable ID-token signing certificate {Kid}")]
    private static partial void LogBadCertificate(ILogger logger, string kid);
}
