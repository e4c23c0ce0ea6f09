namespace AuthApp.Api.Errors;

/// <summary>
/// Every <c>code</c> a problem response of the API carries. Clients switch on these (the messages may change, the codes
/// may not), so each is written once, here.
/// </summary>
public static class ProblemCodes
{
    // The request itself: its body, its fields, the limits on what a user may store.
    public const string InvalidRequest = "invalid_request";
    public const string MissingBody = "missing_body";
    public const string MalformedJson = "malformed_json";
    public const string InvalidField = "invalid_field";
    public const string MissingField = "missing_field";
    public const string ValidationFailed = "validation_failed";
    public const string InvalidKey = "invalid_key";
    public const string InvalidTime = "invalid_time";
    public const string InvalidTimeZone = "invalid_time_zone";
    public const string InvalidSensor = "invalid_sensor";
    public const string LimitExceeded = "limit_exceeded";
    public const string PayloadTooLarge = "payload_too_large";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string MethodNotAllowed = "method_not_allowed";

    // Who is asking: sign-in, sessions, licenses.
    public const string Unauthorized = "unauthorized";
    public const string InvalidCredentials = "invalid_credentials";
    public const string InvalidToken = "invalid_token";
    public const string TokenRevoked = "token_revoked";
    public const string ReauthenticationRequired = "reauthentication_required";
    public const string Forbidden = "forbidden";
    public const string UserDisabled = "user_disabled";
    public const string NoLicense = "no_license";
    public const string InvalidLicense = "invalid_license";
    public const string EmailExists = "email_exists";
    public const string InvalidEmail = "invalid_email";
    public const string WeakPassword = "weak_password";
    public const string Conflict = "conflict";

    // What the user asked for does not exist, or what is stored cannot be served.
    public const string NotFound = "not_found";
    public const string VenueNotFound = "venue_not_found";
    public const string DeviceNotFound = "device_not_found";
    public const string ScheduleNotFound = "schedule_not_found";
    public const string MonitoringVenueNotFound = "monitoring_venue_not_found";
    public const string LicenseNotFound = "license_not_found";
    public const string DataTooLarge = "data_too_large";
    public const string DataUnreadable = "data_unreadable";

    // Voice commands.
    public const string VoiceKeyMissing = "voice_key_missing";
    public const string InvalidVoiceKey = "invalid_voice_key";
    public const string VoiceQuotaExceeded = "voice_quota_exceeded";
    public const string NoDevices = "no_devices";
    public const string VoiceCommandNotUnderstood = "voice_command_not_understood";

    // Try again later (with Retry-After), or not at all.
    public const string RateLimited = "rate_limited";
    public const string TooManyStreams = "too_many_streams";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string InternalError = "internal_error";

    /// <summary>A status the API never answers on purpose (ASP.NET Core's own pages for any other 4xx).</summary>
    public const string Error = "error";
}
