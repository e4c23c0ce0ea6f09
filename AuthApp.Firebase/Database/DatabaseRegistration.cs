using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Database;

internal static class DatabaseRegistration
{
    public static void AddFirebaseDatabase(this IHostApplicationBuilder builder)
    {
        // Filled in by the database work.
    }
}
