using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Authentication;

internal static class AuthenticationRegistration
{
    public static void AddFirebaseAuthentication(this IHostApplicationBuilder builder)
    {
        // Filled in by the authentication work.
    }
}
