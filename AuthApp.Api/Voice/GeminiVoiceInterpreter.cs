using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Domain.Users;
using AuthApp.Http;

namespace AuthApp.Api.Voice;

/// <summary>
/// Gemini's <c>generateContent</c> REST API asked for strict JSON <c>{venue, device, value}</c>.
/// The user's key travels in the <c>x-goog-api-key</c> header, never in the URL.
/// </summary>
internal sealed partial class GeminiVoiceInterpreter(HttpClient http, Microsoft.Extensions.Options.IOptions<VoiceOptions> options, ILogger<GeminiVoiceInterpreter> logger)
    : IVoiceInterpreter
{
    public async Task<VoiceIntent?> InterpretAsync(string apiKey, string text, VoiceContext context, CancellationToken cancellationToken)
    {
        // A line break or NUL makes Headers.Add throw (a FormatException: a 500), a non-ASCII character makes the send
        // fail (an HttpRequestException, retried, then a misleading 503): such a key is the user's to fix, not an outage.
        if (!VoiceKeys.IsSendable(apiKey))
        {
            throw VoiceKeys.StoredKeyUnusable();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post,
            new Uri(options.Value.GeminiBaseUrl, $"v1beta/models/{options.Value.Model}:generateContent"))
        {
            Content = JsonContent.Create(BuildRequest(text, context)),
        };
        request.Headers.Add("x-goog-api-key", apiKey);

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (Exception exception) when ((exception.IsTransportFailure() || exception is TaskCanceledException or Polly.Timeout.TimeoutRejectedException)
                                          && !cancellationToken.IsCancellationRequested)
        {
            LogUnreachable(logger, exception.GetType().Name);
            throw Unavailable(retryAfter: null);
        }

        using (response)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.BadRequest when await IsKeyErrorAsync(response, cancellationToken):
                case HttpStatusCode.Unauthorized:
                case HttpStatusCode.Forbidden:
                    throw VoiceKeys.Rejected();
                case HttpStatusCode.TooManyRequests:
                    throw AppError.TooManyRequests(ProblemCodes.VoiceQuotaExceeded, "The Gemini API key's quota is exhausted; try again later.",
                        response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(30));
                case >= HttpStatusCode.InternalServerError:
                    throw Unavailable(response.Headers.RetryAfter?.Delta);
                case not HttpStatusCode.OK:
                    LogUnexpectedStatus(logger, (int)response.StatusCode);
                    return null;
            }

            var body = await response.Content.ReadFromJsonAsync<JsonNode>(cancellationToken);
            var answer = (string?)body?["candidates"]?[0]?["content"]?["parts"]?[0]?["text"];
            return ParseIntent(answer);
        }
    }

    /// <summary>
    /// Strict: a JSON object with exactly the string members venue, device and value (a fenced
    /// <c>```json</c> block is unwrapped). Anything else is no answer.
    /// </summary>
    internal static VoiceIntent? ParseIntent(string? answer)
    {
        if (string.IsNullOrWhiteSpace(answer))
        {
            return null;
        }

        var json = answer.Trim();
        if (json.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLineEnd = json.IndexOf('\n', StringComparison.Ordinal);
            var fenceEnd = json.LastIndexOf("```", StringComparison.Ordinal);
            json = firstLineEnd > 0 && fenceEnd > firstLineEnd ? json[(firstLineEnd + 1)..fenceEnd].Trim() : json;
        }

        try
        {
            if (JsonNode.Parse(json) is not JsonObject intent || intent.Count != 3)
            {
                return null;
            }

            return intent["venue"] is JsonValue venue && venue.TryGetValue(out string? venueName)
                   && intent["device"] is JsonValue device && device.TryGetValue(out string? deviceName)
                   && intent["value"] is JsonValue value && value.TryGetValue(out string? valueText)
                ? new VoiceIntent(venueName, deviceName, valueText)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Gemini rarely sends <c>Retry-After</c>; the client is told when to retry either way.</summary>
    private static AppError Unavailable(TimeSpan? retryAfter) =>
        AppError.Unavailable("The voice assistant is unavailable; try again shortly.", retryAfter ?? TimeSpan.FromSeconds(5));

    private static JsonObject BuildRequest(string text, VoiceContext context)
    {
        var prompt = $$"""
            You control smart-home devices. The user's venues, each with its devices and their current states, are:
            {{JsonSerializer.Serialize(context.Venues)}}
            Allowed values: {{string.Join(", ", DeviceValues.Allowed)}} (levels 1 to 5 are for dimmers and fans).
            The user said (in English or Tamil): "{{text.Replace("\"", "'", StringComparison.Ordinal)}}"
            Answer with only a JSON object {"venue": "...", "device": "...", "value": "..."} naming one existing venue,
            one of its existing devices, and one allowed value. No other text.
            """;
        return new JsonObject
        {
            ["contents"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["parts"] = new JsonArray(new JsonObject { ["text"] = prompt }),
            }),
            ["generationConfig"] = new JsonObject
            {
                ["responseMimeType"] = "application/json",
                ["temperature"] = 0,
            },
        };
    }

    private static async Task<bool> IsKeyErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return body.Contains("API_KEY_INVALID", StringComparison.Ordinal) || body.Contains("API key not valid", StringComparison.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gemini could not be reached ({ErrorType})")]
    private static partial void LogUnreachable(ILogger logger, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gemini answered {Status}")]
    private static partial void LogUnexpectedStatus(ILogger logger, int status);
}
