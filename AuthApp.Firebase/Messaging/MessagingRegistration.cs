using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Messaging;

internal static class MessagingRegistration
{
    public static void AddFirebaseMessaging(this IHostApplicationBuilder builder)
    {
        // Filled in by the messaging work.
    }
}
