using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace AuthApp.Firebase.Http;

/// <summary>
/// Whether a request is safe to send twice; only such requests are retried after a failure that may have
/// reached the server (5xx other than 503, timeouts, connection errors). By default that is HTTP's own
/// idempotent methods; a client marks the exceptions (a lookup POST is safe, an if-match PUT is not).
/// </summary>
internal static class FirebaseRequest
{
    private static readonly HttpRequestOptionsKey<bool> Idempotent = new("AuthApp.Firebase.Idempotent");

    public static HttpRequestMessage MarkIdempotent(this HttpRequestMessage request)
    {
        request.Options.Set(Idempotent, true);
        return request;
    }

    public static HttpRequestMessage MarkNotIdempotent(this HttpRequestMessage request)
    {
        request.Options.Set(Idempotent, false);
        return request;
    }

    public static bool IsIdempotent(this HttpRequestMessage? request) =>
        request is not null
        && (request.Options.TryGetValue(Idempotent, out var idempotent)
            ? idempotent
            : request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
              || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete);
}

internal static class FirebaseHttpClientBuilderExtensions
{
    /// <summary>
    /// Replaces whatever resilience the host put on every client (ServiceDefaults'
    /// <c>AddStandardResilienceHandler</c>, which would retry non-idempotent POSTs) with the
    /// Firebase pipeline: total timeout, retries (idempotent requests, or 429/503 which mean
    /// "not processed"), circuit breaker, per-attempt timeout. Header values are never logged.
    /// </summary>
    public static IHttpClientBuilder AddFirebaseResilience(this IHttpClientBuilder builder)
    {
        builder.WithoutHostResilience();
        builder.AddResilienceHandler("firebase", static (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptions<FirebaseOptions>>().Value;
            // Network back-off and timeouts run on the real clock, whatever clock the app's logic uses.
            pipeline.TimeProvider = TimeProvider.System;

            pipeline.AddTimeout(options.TotalTimeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2, // 3 attempts in all, like the original
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.GetRequestMessage(), options.MaxRetryAfter)),
            });
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
            });
            pipeline.AddTimeout(options.AttemptTimeout);
        });
        return builder;
    }

    /// <summary>
    /// Takes off whatever resilience the host put on every client (its retries and timeouts), and keeps header values
    /// out of logs: the start of <see cref="AddFirebaseResilience"/>, and all a client that must not be retried or timed
    /// out (a database stream) gets.
    /// </summary>
    public static IHttpClientBuilder WithoutHostResilience(this IHttpClientBuilder builder)
    {
        builder.RedactLoggedHeaders(_ => true);
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented way to opt a client out.
        builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, HttpRequestMessage? request, TimeSpan maxRetryAfter)
    {
        if (outcome.Result is { } response)
        {
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
            {
                // Not processed by the server: safe to send again, unless it asks us to wait too long.
                var retryAfter = FirebaseHttp.RetryAfter(response);
                return retryAfter is null || retryAfter <= maxRetryAfter;
            }

            return (int)response.StatusCode >= 500 && (request ?? response.RequestMessage).IsIdempotent();
        }

        return outcome.Exception switch
        {
            // Opening the circuit or refusing to connect means nothing was sent.
            BrokenCircuitException => false,
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError } => true,
            TimeoutRejectedException => request.IsIdempotent(),
            Exception exception when exception.IsTransportFailure() => request.IsIdempotent(),
            _ => false,
        };
    }
}

/// <summary>Sends a request and turns transport failures into <see cref="FirebaseServiceUnavailableException"/>.</summary>
internal static class FirebaseHttp
{
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string api, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException e)
        {
            throw new FirebaseServiceUnavailableException($"{api} is unavailable (circuit open).", e.RetryAfter, innerException: e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new FirebaseServiceUnavailableException($"{api} did not answer in time.", innerException: e);
        }
        catch (HttpRequestException e)
        {
            throw new FirebaseServiceUnavailableException($"{api} could not be reached ({e.HttpRequestError}).", innerException: Sanitize(e));
        }
        catch (Exception e) when (e.IsTransportFailure())
        {
            // Not wrapped in an HttpRequestException (see TransportFailure).
            throw new FirebaseServiceUnavailableException($"{api} could not be reached ({e.GetType().Name}).", innerException: e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FirebaseServiceUnavailableException($"{api} did not answer in time.", innerException: e);
        }

        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = RetryAfter(response);
            response.Dispose();
            throw new FirebaseServiceUnavailableException($"{api} answered {status}.", retryAfter, response.StatusCode);
        }

        return response;
    }

    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta;
        }

        if (header.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>Google's <c>{"error": {"code", "message", "status", "details"}}</c>, or nulls.</summary>
    public static async Task<GoogleError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken).ConfigureAwait(false);
            if (body?["error"] is JsonObject error)
            {
                return new GoogleError(
                    error["message"]?.GetValueKind() == JsonValueKind.String ? error["message"]!.GetValue<string>() : null,
                    error["status"]?.GetValueKind() == JsonValueKind.String ? error["status"]!.GetValue<string>() : null,
                    error);
            }
        }
        catch (JsonException)
        {
        }
        catch (NotSupportedException)
        {
        }

        return new GoogleError(null, null, null);
    }

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    // An HttpRequestException's message can name the host and port, never a key (keys travel in headers);
    // keep only the error kind so nothing from the request reaches a log through the exception chain.
    private static HttpRequestException Sanitize(HttpRequestException e) =>
        new($"HTTP request failed: {e.HttpRequestError}", null, e.StatusCode);
}

internal sealed record GoogleError(string? Message, string? Status, JsonObject? Error);
