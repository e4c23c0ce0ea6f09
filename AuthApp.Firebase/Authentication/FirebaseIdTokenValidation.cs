using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// Firebase's rules for an ID token as <see cref="TokenValidationParameters"/>, the handler that applies them,
/// and where the signing keys come from. One instance per process: the library's verifier and the API's
/// JwtBearer scheme share the keys and the cache of verified tokens.
/// <list type="bullet">
/// <item>Signed tokens (everywhere): RS256 only; keys from Google's OpenID Connect metadata for the project
/// (<see cref="FirebaseOptions.SigningKeysMetadataAddress"/>), cached by <see cref="ConfigurationManager{T}"/>,
/// refreshed every hour and, on an unknown <c>kid</c>, at most once per <see cref="MinimumRefreshInterval"/>.</item>
/// <item>Unsigned tokens: only with <see cref="FirebaseOptions.AcceptEmulatorTokens"/> (Development, loopback
/// emulator), and then only unsigned ones; a warning says so at start.</item>
/// </list>
/// Either way <c>iss</c> = <c>https://securetoken.google.com/{project}</c>, <c>aud</c> = the project,
/// <c>exp</c> required, with <see cref="FirebaseOptions.ClockSkew"/>.
/// </summary>
public sealed partial class FirebaseIdTokenValidation : IDisposable
{
    internal const string HttpClientName = "AuthApp.Firebase.SigningKeys";

    /// <summary>An unknown <c>kid</c> triggers at most one refetch of the keys per this interval (no storm on garbage).</summary>
    public static readonly TimeSpan MinimumRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>Google rotates its keys every few hours and publishes new ones well before use.</summary>
    public static readonly TimeSpan KeysRefreshInterval = TimeSpan.FromHours(1);

    public FirebaseIdTokenValidation(
        IOptions<FirebaseOptions> options,
        IHttpClientFactory httpClientFactory,
        TimeProvider timeProvider,
        ILogger<FirebaseIdTokenValidation> logger)
    {
        var o = options.Value;
        Issuer = "https://securetoken.google.com/" + o.ProjectId;
        Parameters = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = o.ProjectId,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            ClockSkew = o.ClockSkew,
            // The library reads the system clock; this validator reads the host's TimeProvider (tests move it).
            LifetimeValidator = (_, expires, _, parameters) => expires switch
            {
                null => throw new SecurityTokenNoExpirationException("The ID token has no expiry (exp)."),
                { } exp when exp + parameters.ClockSkew <= timeProvider.GetUtcNow().UtcDateTime =>
                    throw new SecurityTokenExpiredException("The ID token has expired.") { Expires = exp },
                _ => true,
            },
            NameClaimType = "sub",
            AuthenticationType = "Firebase",
        };

        if (o.AcceptEmulatorTokens)
        {
            Parameters.RequireSignedTokens = false;
            LogUnsignedTokensAccepted(logger, o.AuthEmulatorHost ?? "");
        }
        else
        {
            var metadata = o.SigningKeysMetadataAddress;
            SigningKeys = new ConfigurationManager<OpenIdConnectConfiguration>(
                metadata.ToString(),
                new OpenIdConnectConfigurationRetriever(),
                new FactoryDocumentRetriever(httpClientFactory, requireHttps: metadata.Scheme == Uri.UriSchemeHttps))
            {
                AutomaticRefreshInterval = KeysRefreshInterval,
                RefreshInterval = MinimumRefreshInterval,
            };
            Parameters.ConfigurationManager = SigningKeys;
            Parameters.RequireSignedTokens = true;
            Parameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
            // The kid must name one of Google's keys; never try the others.
            Parameters.TryAllIssuerSigningKeys = false;
        }

        Handler = new FirebaseIdTokenHandler(o, timeProvider);
    }

    /// <summary><c>https://securetoken.google.com/{project}</c>.</summary>
    public string Issuer { get; }

    /// <summary>What a valid ID token satisfies. Shared: callers that change it must clone it first.</summary>
    public TokenValidationParameters Parameters { get; }

    /// <summary>The signing keys, or null when only unsigned emulator tokens are accepted.</summary>
    public ConfigurationManager<OpenIdConnectConfiguration>? SigningKeys { get; }

    public FirebaseIdTokenHandler Handler { get; }

    public bool AcceptsUnsignedTokens => SigningKeys is null;

    public void Dispose() => Handler.Dispose();

    [LoggerMessage(1, LogLevel.Warning,
        "UNSIGNED ID TOKENS ARE ACCEPTED (Firebase:AcceptEmulatorTokens, Auth emulator {EmulatorHost}): anyone can sign in as anyone. Development only.")]
    private static partial void LogUnsignedTokensAccepted(ILogger logger, string emulatorHost);

    /// <summary>Fetches the metadata and keys through the library's resilient named client, a fresh client per fetch.</summary>
    private sealed class FactoryDocumentRetriever(IHttpClientFactory factory, bool requireHttps) : IDocumentRetriever
    {
        public Task<string> GetDocumentAsync(string address, CancellationToken cancel) =>
            new HttpDocumentRetriever(factory.CreateClient(HttpClientName)) { RequireHttps = requireHttps }.GetDocumentAsync(address, cancel);
    }
}
