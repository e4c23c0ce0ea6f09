using AuthApp.Http;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Credentials;

/// <summary>
/// Access tokens from a service account (JSON file or inline JSON), one scoped credential per API.
/// Google.Apis.Auth caches each token and refreshes it shortly before it expires, one refresh at a
/// time. Against an emulator the token is the literal <c>owner</c>, which the emulators accept as admin.
/// </summary>
internal sealed class GoogleAccessTokenProvider : IFirebaseAccessTokenProvider
{
    public const string EmulatorToken = "owner";

    private static readonly string[] AuthenticationScopes =
        ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/identitytoolkit"];
    private static readonly string[] DatabaseScopes =
        ["https://www.googleapis.com/auth/firebase.database", "https://www.googleapis.com/auth/userinfo.email"];
    private static readonly string[] MessagingScopes =
        ["https://www.googleapis.com/auth/firebase.messaging"];

    private readonly FirebaseOptions _options;
    private readonly Lazy<GoogleCredential?> _credential;
    private readonly Lazy<ITokenAccess> _authentication;
    private readonly Lazy<ITokenAccess> _database;
    private readonly Lazy<ITokenAccess> _messaging;

    public GoogleAccessTokenProvider(IOptions<FirebaseOptions> options)
    {
        _options = options.Value;
        _credential = new(LoadCredential);
        _authentication = new(() => Scoped(AuthenticationScopes));
        _database = new(() => Scoped(DatabaseScopes));
        _messaging = new(() => Scoped(MessagingScopes));
    }

    public static string[] ScopesFor(FirebaseApi api) => api switch
    {
        FirebaseApi.Authentication => AuthenticationScopes,
        FirebaseApi.Database => DatabaseScopes,
        FirebaseApi.Messaging => MessagingScopes,
        _ => throw new ArgumentOutOfRangeException(nameof(api)),
    };

    public async ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken)
    {
        if ((api == FirebaseApi.Authentication && _options.UsesAuthEmulator)
            || (api == FirebaseApi.Database && _options.UsesDatabaseEmulator))
        {
            return EmulatorToken;
        }

        var access = api switch
        {
            FirebaseApi.Authentication => _authentication.Value,
            FirebaseApi.Database => _database.Value,
            FirebaseApi.Messaging => _messaging.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(api)),
        };

        try
        {
            return await access.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e.IsTransportFailure())
        {
            throw new FirebaseServiceUnavailableException(
                $"The Google token endpoint could not be reached ({(e as HttpRequestException)?.HttpRequestError.ToString() ?? e.GetType().Name}).");
        }
        catch (TokenResponseException e)
        {
            // The error word (e.g. invalid_grant) only; the description could echo request details.
            throw new FirebaseException($"Google refused to issue an access token ({e.Error?.Error ?? "unknown error"}).", e.StatusCode, e.Error?.Error);
        }
    }

    private ITokenAccess Scoped(string[] scopes) =>
        (_credential.Value ?? throw new FirebaseException(
            "No Firebase service-account credentials are configured (Firebase:CredentialsFile or Firebase:CredentialsJson)."))
        .CreateScoped(scopes);

    private GoogleCredential? LoadCredential()
    {
        string? json = _options.CredentialsJson;
        if (string.IsNullOrWhiteSpace(json) && !string.IsNullOrWhiteSpace(_options.CredentialsFile))
        {
            try
            {
                json = File.ReadAllText(_options.CredentialsFile);
            }
            catch (IOException e)
            {
                throw new FirebaseException($"The service-account file could not be read ({e.GetType().Name}).");
            }
        }

        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return CredentialFactory.FromJson<ServiceAccountCredential>(json).ToGoogleCredential();
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or Newtonsoft.Json.JsonException)
        {
            // Never echo the JSON: it holds the private key.
            throw new FirebaseException("The Firebase credentials are not a valid service-account JSON.");
        }
    }
}
