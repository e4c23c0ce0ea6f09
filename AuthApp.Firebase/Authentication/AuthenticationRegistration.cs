using AuthApp.Firebase.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Authentication;

internal static class AuthenticationRegistration
{
    public static void AddFirebaseAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(FirebaseAuthClient.HttpClientName).AddFirebaseResilience();
        builder.Services.AddHttpClient(FirebaseIdTokenValidation.HttpClientName).AddFirebaseResilience();
        builder.Services.TryAddSingleton<FirebaseIdTokenValidation>();
        builder.Services.TryAddSingleton<FirebaseIdTokenVerifier>();
        builder.Services.TryAddSingleton<FirebaseAuthClient>();
    }
}
