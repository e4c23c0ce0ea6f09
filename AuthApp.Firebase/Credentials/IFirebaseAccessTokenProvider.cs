namespace AuthApp.Firebase.Credentials;

/// <summary>
/// OAuth2 access tokens for the Google APIs the library calls, cached and refreshed before
/// expiry. Against an emulator the token is the literal <c>owner</c>.
/// </summary>
public interface IFirebaseAccessTokenProvider
{
    ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken);
}

/// <summary>The API a token is for; each needs its own OAuth2 scopes.</summary>
public enum FirebaseApi
{
    Authentication,
    Database,
    Messaging,
}
