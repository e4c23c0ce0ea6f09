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
    /// the bearer token is added per attempt by <see cref="DatabaseAuthenticationHandler"/>. Streams (listens) go through
    /// a second client with the same token handler and no resilience at all: a stream lives for hours, and the caller
    /// decides when to listen again. Its connections are closed, not drained, when a listen stops: draining an endless
    /// stream would only keep the connection (and the server's listener) for the drain's timeout.
    /// </summary>
    internal static IServiceCollection AddFirebaseDatabaseClient(this IServiceCollection services)
    {
        services.TryAddSingleton<FirebaseDatabaseClient>();
        services.TryAddSingleton<IFirebaseDatabase>(sp => sp.GetRequiredService<FirebaseDatabaseClient>());

        services.AddHttpClient(FirebaseDatabaseClient.HttpClientName)
            .AddFirebaseResilience()
            .AddHttpMessageHandler(AuthenticationHandler);
        // HttpClient.Timeout would only cover the headers (they are read alone); the client gives them a deadline of its own.
        services.AddHttpClient(FirebaseDatabaseClient.StreamHttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .WithoutHostResilience()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { MaxResponseDrainSize = 0 })
            .AddHttpMessageHandler(AuthenticationHandler);
        return services;
    }

    private static DatabaseAuthenticationHandler AuthenticationHandler(IServiceProvider services) =>
        new(services.GetRequiredService<IFirebaseAccessTokenProvider>());
}
