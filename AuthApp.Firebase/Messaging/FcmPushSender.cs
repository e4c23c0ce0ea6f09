using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Messaging;

/// <summary>
/// FCM HTTP v1 <c>messages:send</c>. A send is never repeated after it may have reached FCM; only
/// 429/503 answers (not processed) are retried, honouring <c>Retry-After</c>.
/// </summary>
internal sealed partial class FcmPushSender(
    IHttpClientFactory httpClientFactory,
    IFirebaseAccessTokenProvider accessTokens,
    IOptions<FirebaseOptions> options,
    ILogger<FcmPushSender> logger) : IPushSender
{
    internal const string HttpClientName = "AuthApp.Firebase.Messaging";
    private const string Api = "FCM";

    private readonly Uri _sendUrl = new(options.Value.MessagingBaseUrl, $"v1/projects/{Uri.EscapeDataString(options.Value.ProjectId)}/messages:send");

    public async Task<PushResult> SendAsync(PushMessage message, bool validateOnly = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var fcmMessage = new JsonObject
        {
            ["token"] = message.Token,
            ["notification"] = new JsonObject { ["title"] = message.Title, ["body"] = message.Body },
        };
        if (message.Data is { Count: > 0 } data)
        {
            var dataObject = new JsonObject();
            foreach (var (key, value) in data)
            {
                dataObject[key] = value;
            }

            fcmMessage["data"] = dataObject;
        }

        var body = new JsonObject { ["validate_only"] = validateOnly, ["message"] = fcmMessage };
        using var request = new HttpRequestMessage(HttpMethod.Post, _sendUrl)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = FirebaseHttp.Bearer(await accessTokens.GetAccessTokenAsync(FirebaseApi.Messaging, cancellationToken).ConfigureAwait(false));

        var client = httpClientFactory.CreateClient(HttpClientName);
        using var response = await FirebaseHttp.SendAsync(client, request, Api, cancellationToken).ConfigureAwait(false);
        var fingerprint = PushToken.Fingerprint(message.Token);
        if (response.IsSuccessStatusCode)
        {
            var name = await ReadNameAsync(response, cancellationToken).ConfigureAwait(false);
            LogSent(logger, fingerprint, validateOnly);
            return PushResult.Sent(name);
        }

        var error = await FirebaseHttp.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var code = FcmErrorCode(error) ?? error.Status ?? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (code is "UNREGISTERED" or "SENDER_ID_MISMATCH"
            || (code == "INVALID_ARGUMENT" && IsAboutToken(error)))
        {
            LogInvalidToken(logger, fingerprint, code);
            return PushResult.InvalidToken(code);
        }

        LogFailed(logger, fingerprint, (int)response.StatusCode, code);
        throw new FirebaseMessagingException($"{Api} refused the message: {code}.", response.StatusCode, code);
    }

    private static async Task<string?> ReadNameAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // details: [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "UNREGISTERED"}, ...]
    private static string? FcmErrorCode(GoogleError error)
    {
        foreach (var detail in Details(error))
        {
            if (detail["@type"]?.ToString().EndsWith("google.firebase.fcm.v1.FcmError", StringComparison.Ordinal) == true
                && detail["errorCode"] is JsonValue value && value.TryGetValue<string>(out var code))
            {
                return code;
            }
        }

        return null;
    }

    // An INVALID_ARGUMENT is the token's fault when a field violation names message.token, or the
    // message says the registration token is not valid; otherwise it is the payload's.
    private static bool IsAboutToken(GoogleError error)
    {
        foreach (var detail in Details(error))
        {
            if (detail["fieldViolations"] is JsonArray violations
                && violations.OfType<JsonObject>().Any(v => v["field"]?.ToString() == "message.token"))
            {
                return true;
            }
        }

        return error.Message?.Contains("registration token", StringComparison.OrdinalIgnoreCase) == true;
    }

    private static IEnumerable<JsonObject> Details(GoogleError error) =>
        error.Error?["details"] is JsonArray details ? details.OfType<JsonObject>() : [];

    [LoggerMessage(20, LogLevel.Debug, "Push to token {TokenFingerprint} accepted (validate only: {ValidateOnly})")]
    private static partial void LogSent(ILogger logger, string tokenFingerprint, bool validateOnly);

    [LoggerMessage(21, LogLevel.Information, "Push token {TokenFingerprint} is no longer valid ({ErrorCode})")]
    private static partial void LogInvalidToken(ILogger logger, string tokenFingerprint, string errorCode);

    [LoggerMessage(22, LogLevel.Warning, "Push to token {TokenFingerprint} failed with HTTP {Status} ({ErrorCode})")]
    private static partial void LogFailed(ILogger logger, string tokenFingerprint, int status, string errorCode);
}
