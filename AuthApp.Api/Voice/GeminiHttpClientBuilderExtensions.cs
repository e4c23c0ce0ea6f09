using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace AuthApp.Api.Voice;

internal static class GeminiHttpClientBuilderExtensions
{
    /// <summary>
    /// The original's policy for calls to Google instead of the host default (which waits 2, 4, 8 s between
    /// four attempts of up to 10 s each, far beyond what a mobile client waits): 3 attempts, 1 s then 2 s
    /// back-off, 5 s per attempt. <c>generateContent</c> has no side effects, so a failed attempt can be sent
    /// again; a 429 (the user's quota) is not retried. The user's key header is never logged.
    /// </summary>
    public static IHttpClientBuilder AddGeminiResilience(this IHttpClientBuilder builder)
    {
        builder.RedactLoggedHeaders(["x-goog-api-key"]);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt a client out.
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.AddResilienceHandler("gemini", static pipeline =>
        {
            pipeline.AddTimeout(TimeSpan.FromSeconds(20));
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromSeconds(1),
                UseJitter = false,
                ShouldHandle = static args => ValueTask.FromResult(
                    args.Outcome.Result?.StatusCode is not HttpStatusCode.TooManyRequests
                    && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
            });
            pipeline.AddTimeout(TimeSpan.FromSeconds(5));
        });
        return builder;
    }
}
