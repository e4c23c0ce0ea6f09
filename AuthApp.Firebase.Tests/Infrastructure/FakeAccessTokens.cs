using AuthApp.Firebase.Credentials;

namespace AuthApp.Firebase.Tests.Infrastructure;

public sealed class FakeAccessTokens(string token) : IFirebaseAccessTokenProvider
{
    public string Token { get; } = token;

    public ValueTask<string> GetAccessTokenAsync(FirebaseApi api, CancellationToken cancellationToken) => ValueTask.FromResult(Token);
}
