using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Credentials;

internal static class CredentialsRegistration
{
    public static void AddFirebaseCredentials(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<IFirebaseAccessTokenProvider, GoogleAccessTokenProvider>();
    }
}
