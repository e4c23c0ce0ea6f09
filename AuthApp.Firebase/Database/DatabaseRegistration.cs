using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AuthApp.Firebase.Database;

internal static class DatabaseRegistration
{
    public static void AddFirebaseDatabase(this IHostApplicationBuilder builder) => builder.Services.AddFirebaseDatabaseClient();

    /// <summary>
    /// Registers <see cref="IFirebaseDatabase"/> (a singleton <see cref="FirebaseDatabaseClient"/>, TryAdd so a
    /// test may register a fake first) and its named <see cref="HttpClient"/> with the library's resilience
    /// pipeline (which replaces the host's default handlers: those would resend a conditional write after an ambiguous
    /// failure, which could apply a transaction twice);
    /// the bearer token is added per attempt by <see cref="DatabaseAuthenticationHandler"/>.
    /// </summary>
    internal static IServiceCollection AddFirebaseDatabaseClient(this IServiceCollection services)
    {
        services.TryAddSingleton<FirebaseDatabaseClient>();
        services.TryAddSingleton<IFirebaseDatabase>(sp => sp.GetRequiredService<FirebaseDatabaseClient>());

        services.AddHttpClient(FirebaseDatabaseClient.HttpClientName)
            .AddFirebaseResilience()
            .AddHttpMessageHandler(sp => new DatabaseAuthenticationHandler(sp.GetRequiredService<IFirebaseAccessTokenProvider>()));
        return services;
    }
}
