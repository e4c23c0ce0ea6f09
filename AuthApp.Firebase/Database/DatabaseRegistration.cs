using System.Net;
using AuthApp.Firebase.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace AuthApp.Firebase.Database;

internal static class DatabaseRegistration
{
    /// <summary>The name of the resilience pipeline on the database <see cref="HttpClient"/>.</summary>
    public const string ResiliencePipelineName = "rtdb";

    public static void AddFirebaseDatabase(this IHostApplicationBuilder builder) => builder.Services.AddFirebaseDatabaseClient();

    /// <summary>
    /// Registers <see cref="IFirebaseDatabase"/> (a singleton <see cref="FirebaseDatabaseClient"/>, TryAdd so a
    /// test may register a fake first) and its named <see cref="HttpClient"/>: the host's default
    /// resilience handlers are removed (the standard handler retries POST, which would duplicate pushes)
    /// and replaced by <see cref="ConfigureResilience"/>; the bearer token is added per attempt by
    /// <see cref="DatabaseAuthenticationHandler"/>, which needs an <see cref="IFirebaseAccessTokenProvider"/>.
    /// </summary>
    internal static IServiceCollection AddFirebaseDatabaseClient(this IServiceCollection services)
    {
        services.TryAddSingleton<FirebaseDatabaseClient>();
        services.TryAddSingleton<IFirebaseDatabase>(sp => sp.GetRequiredService<FirebaseDatabaseClient>());

        var http = services.AddHttpClient(FirebaseDatabaseClient.HttpClientName);
        // Experimental in Microsoft.Extensions.Http.Resilience 10.x, and the only supported way to drop
        // the handlers that ConfigureHttpClientDefaults added (AddStandardResilienceHandler retries POST).
#pragma warning disable EXTEXP0001
        http.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        http.AddResilienceHandler(ResiliencePipelineName, static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<FirebaseOptions>>().Value;
            ConfigureResilience(pipeline, options.AttemptTimeout);
        });
        http.AddHttpMessageHandler(sp => new DatabaseAuthenticationHandler(sp.GetRequiredService<IFirebaseAccessTokenProvider>()));
        return services;
    }

    /// <summary>
    /// Total timeout, then retries with exponential back-off and jitter, a circuit breaker, and the per-attempt timeout.
    /// GET, PUT, PATCH and DELETE are idempotent in the database and are retried on 408, 429, 5xx, network errors and
    /// attempt timeouts. Requests marked <see cref="FirebaseDatabaseClient.NotIdempotent"/> (POST push, if-match
    /// writes) are retried only on 429 and 503, where the server did not act on them.
    /// </summary>
    internal static void ConfigureResilience(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, TimeSpan attemptTimeout)
    {
        const int maxRetries = 3;
        pipeline.AddTimeout(attemptTimeout * (maxRetries + 1) + TimeSpan.FromSeconds(3));
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = maxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldRetryAfterHeader = true,
            ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome)),
        });
        pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
        {
            SamplingDuration = TimeSpan.FromSeconds(30),
            MinimumThroughput = 20,
            FailureRatio = 0.5,
            BreakDuration = TimeSpan.FromSeconds(5),
        });
        pipeline.AddTimeout(attemptTimeout);
    }

    internal static bool ShouldRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome)
    {
        var request = context.GetRequestMessage();
        var idempotent = request is not null
                         && request.Method != HttpMethod.Post
                         && !(request.Options.TryGetValue(FirebaseDatabaseClient.NotIdempotent, out var notIdempotent) && notIdempotent);

        if (outcome.Result is { } response)
        {
            var status = response.StatusCode;
            if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                return true;
            }

            return idempotent && (status == HttpStatusCode.RequestTimeout || (int)status >= 500);
        }

        return idempotent && outcome.Exception is HttpRequestException or TimeoutRejectedException;
    }
}
