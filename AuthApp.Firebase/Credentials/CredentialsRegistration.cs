using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Credentials;

internal static class CredentialsRegistration
{
    public static void AddFirebaseCredentials(this IHostApplicationBuilder builder)
    {
        // Filled in by the credentials work: IFirebaseAccessTokenProvider.
    }
}
