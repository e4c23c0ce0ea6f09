using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Credentials;
using AuthApp.Firebase.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Authentication;

/// <summary>
/// Firebase Authentication over the Identity Toolkit REST API v1. Client calls (sign up, sign in,
/// refresh, lookup by ID token, out-of-band codes) carry the web API key in the
/// <c>X-Goog-Api-Key</c> header, never in the URL; admin calls carry a service-account access
/// token and use project-scoped URLs. Failures are <see cref="FirebaseAuthException"/> or
/// <see cref="FirebaseServiceUnavailableException"/>; their messages hold no secret or email.
/// </summary>
public sealed partial class FirebaseAuthClient
{
    internal const string HttpClientName = "AuthApp.Firebase.Authentication";
    private const string Api = "Identity Toolkit";

    private static readonly HashSet<string> ReservedClaims = new(StringComparer.Ordinal)
    {
        "acr", "amr", "at_hash", "aud", "auth_time", "azp", "cnf", "c_hash", "exp", "iat", "iss", "jti",
        "nbf", "nonce", "sub", "firebase", "user_id",
    };

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IFirebaseAccessTokenProvider _tokens;
    private readonly FirebaseIdTokenVerifier _verifier;
    private readonly TimeProvider _time;
    private readonly ILogger<FirebaseAuthClient> _logger;
    private readonly string _apiKey;
    private readonly string _identityToolkit;
    private readonly string _adminAccounts;
    private readonly Uri _secureToken;

    public FirebaseAuthClient(
        IHttpClientFactory httpClientFactory,
        IFirebaseAccessTokenProvider accessTokens,
        FirebaseIdTokenVerifier verifier,
        IOptions<FirebaseOptions> options,
        TimeProvider timeProvider,
        ILogger<FirebaseAuthClient> logger)
    {
        var o = options.Value;
        _httpClientFactory = httpClientFactory;
        _tokens = accessTokens;
        _verifier = verifier;
        _time = timeProvider;
        _logger = logger;
        // The emulator accepts any key but insists on one.
        _apiKey = string.IsNullOrWhiteSpace(o.ApiKey) ? "emulator-api-key" : o.ApiKey;
        _identityToolkit = o.UsesAuthEmulator
            ? $"http://{o.AuthEmulatorHost}/identitytoolkit.googleapis.com/v1/"
            : "https://identitytoolkit.googleapis.com/v1/";
        _adminAccounts = $"{_identityToolkit}projects/{Uri.EscapeDataString(o.ProjectId)}/";
        _secureToken = new Uri(o.UsesAuthEmulator
            ? $"http://{o.AuthEmulatorHost}/securetoken.googleapis.com/v1/token"
            : "https://securetoken.googleapis.com/v1/token");
    }

    /// <summary>Creates an email/password account and signs it in (<c>accounts:signUp</c>). Never retried.</summary>
    public async Task<SignInResult> SignUpAsync(string email, string password, string? displayName = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["email"] = email, ["password"] = password, ["returnSecureToken"] = true };
        if (!string.IsNullOrEmpty(displayName))
        {
            body["displayName"] = displayName;
        }

        var response = await ClientCallAsync("accounts:signUp", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return ToSignInResult(response, registered: true);
    }

    /// <summary>
    /// Creates an email/password account as the service (the admin <c>projects/{project}/accounts</c>, as the Admin SDK's
    /// <c>createUser</c>), without signing it in. Unlike <see cref="SignUpAsync"/> it keeps working when the project
    /// refuses clients' own sign-ups (<c>disabledUserSignup</c>). Returns the new account's uid. Never retried.
    /// </summary>
    public async Task<string> CreateUserAsync(string email, string password, string? displayName = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["email"] = email, ["password"] = password };
        if (!string.IsNullOrEmpty(displayName))
        {
            body["displayName"] = displayName;
        }

        var response = await AdminCallAsync("accounts", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return RequiredString(response, "localId");
    }

    /// <summary>Signs in with email and password (<c>accounts:signInWithPassword</c>). Never retried.</summary>
    public async Task<SignInResult> SignInWithPasswordAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["email"] = email, ["password"] = password, ["returnSecureToken"] = true };
        var response = await ClientCallAsync("accounts:signInWithPassword", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return ToSignInResult(response, registered: response.TryGetProperty("registered", out var r) && r.ValueKind == JsonValueKind.True);
    }

    /// <summary>Exchanges a refresh token for a new ID token (secure token <c>token</c> endpoint).</summary>
    public async Task<RefreshResult> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _secureToken)
        {
            Content = new FormUrlEncodedContent([
                new("grant_type", "refresh_token"),
                new("refresh_token", refreshToken),
            ]),
        };
        request.Headers.Add("X-Goog-Api-Key", _apiKey);
        var body = await SendAsync(request, "token", cancellationToken).ConfigureAwait(false);
        return new RefreshResult(
            RequiredString(body, "id_token"),
            RequiredString(body, "refresh_token"),
            ParseExpiresIn(body, "expires_in"),
            RequiredString(body, "user_id"));
    }

    /// <summary>Looks a user up by uid (admin). Throws <see cref="AuthErrorCode.UserNotFound"/> when there is none.</summary>
    public async Task<UserRecord> GetUserAsync(string uid, CancellationToken cancellationToken = default)
    {
        var body = await AdminCallAsync("accounts:lookup", new JsonObject { ["localId"] = new JsonArray(uid) }, idempotent: true, cancellationToken).ConfigureAwait(false);
        return FirstUser(body);
    }

    /// <summary>Looks a user up by email (admin). Throws <see cref="AuthErrorCode.UserNotFound"/> when there is none.</summary>
    public async Task<UserRecord> GetUserByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var body = await AdminCallAsync("accounts:lookup", new JsonObject { ["email"] = new JsonArray(email) }, idempotent: true, cancellationToken).ConfigureAwait(false);
        return FirstUser(body);
    }

    /// <summary>Changes a user (admin <c>accounts:update</c>); see <see cref="UserUpdate"/>.</summary>
    public async Task UpdateUserAsync(string uid, UserUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var body = new JsonObject { ["localId"] = uid };
        if (update.DisplayName is not null)
        {
            if (update.DisplayName.Length == 0)
            {
                body["deleteAttribute"] = new JsonArray("DISPLAY_NAME");
            }
            else
            {
                body["displayName"] = update.DisplayName;
            }
        }

        if (update.Email is not null)
        {
            body["email"] = update.Email;
        }

        if (update.Password is not null)
        {
            body["password"] = update.Password;
        }

        if (update.Disabled is { } disabled)
        {
            body["disableUser"] = disabled;
        }

        if (update.EmailVerified is { } verified)
        {
            body["emailVerified"] = verified;
        }

        if (update.CustomClaims is { } claims)
        {
            body["customAttributes"] = SerializeClaims(claims);
        }

        if (update.ValidSince is { } validSince)
        {
            body["validSince"] = validSince.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        }

        // Every field is set to an absolute value, so sending the same update twice is harmless.
        await AdminCallAsync("accounts:update", body, idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces a user's custom claims (they appear in ID tokens issued afterwards).</summary>
    public Task SetCustomClaimsAsync(string uid, IReadOnlyDictionary<string, object?> claims, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(uid, new UserUpdate { CustomClaims = claims }, cancellationToken);

    /// <summary>Revokes every refresh token of a user (and, with <c>checkRevoked</c>, ID tokens issued before now).</summary>
    public Task RevokeRefreshTokensAsync(string uid, CancellationToken cancellationToken = default) =>
        UpdateUserAsync(uid, new UserUpdate { ValidSince = _time.GetUtcNow() }, cancellationToken);

    /// <summary>Deletes a user (admin <c>accounts:delete</c>). Never retried.</summary>
    public async Task DeleteUserAsync(string uid, CancellationToken cancellationToken = default)
    {
        await AdminCallAsync("accounts:delete", new JsonObject { ["localId"] = uid }, idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the password-reset email (<c>accounts:sendOobCode</c>, PASSWORD_RESET). Never retried.</summary>
    public async Task SendPasswordResetEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["requestType"] = "PASSWORD_RESET", ["email"] = email };
        await ClientCallAsync("accounts:sendOobCode", body, idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the verification email to the signed-in user (<c>accounts:sendOobCode</c>, VERIFY_EMAIL). Never retried.</summary>
    public async Task SendEmailVerificationAsync(string idToken, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["requestType"] = "VERIFY_EMAIL", ["idToken"] = idToken };
        await ClientCallAsync("accounts:sendOobCode", body, idempotent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies an ID token locally (see <see cref="FirebaseIdTokenVerifier"/>). With
    /// <paramref name="checkRevoked"/>, also looks the user up and rejects the token when the user
    /// is disabled (<see cref="AuthErrorCode.UserDisabled"/>) or it was issued before the user's
    /// tokens were revoked (<see cref="AuthErrorCode.IdTokenRevoked"/>).
    /// </summary>
    public async ValueTask<FirebaseToken> VerifyIdTokenAsync(string idToken, bool checkRevoked = false, CancellationToken cancellationToken = default)
    {
        var token = await _verifier.VerifyIdTokenAsync(idToken, cancellationToken).ConfigureAwait(false);
        if (!checkRevoked)
        {
            return token;
        }

        var user = await GetUserAsync(token.Uid, cancellationToken).ConfigureAwait(false);
        if (user.Disabled)
        {
            throw new FirebaseAuthException(AuthErrorCode.UserDisabled, "The user account is disabled.");
        }

        if (user.ValidSince is { } validSince && token.AuthTime < validSince)
        {
            throw new FirebaseAuthException(AuthErrorCode.IdTokenRevoked, "The ID token has been revoked.");
        }

        return token;
    }

    private async Task<JsonElement> ClientCallAsync(string operation, JsonObject body, bool idempotent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _identityToolkit + operation) { Content = Json(body) };
        request.Headers.Add("X-Goog-Api-Key", _apiKey);
        if (idempotent)
        {
            request.MarkIdempotent();
        }

        return await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> AdminCallAsync(string operation, JsonObject body, bool idempotent, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _adminAccounts + operation) { Content = Json(body) };
        request.Headers.Authorization = FirebaseHttp.Bearer(await _tokens.GetAccessTokenAsync(FirebaseApi.Authentication, cancellationToken).ConfigureAwait(false));
        if (idempotent)
        {
            request.MarkIdempotent();
        }

        return await SendAsync(request, operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> SendAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        var client = _httpClientFactory.CreateClient(HttpClientName);
        using var response = await FirebaseHttp.SendAsync(client, request, Api, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var error = await FirebaseHttp.ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            var word = AuthErrors.CodeWord(error.Message, error.Status);
            var code = AuthErrors.Map(word);
            if (code == AuthErrorCode.Unknown && response.StatusCode is HttpStatusCode.Unauthorized)
            {
                code = AuthErrorCode.Unauthenticated;
            }
            else if (code == AuthErrorCode.Unknown && response.StatusCode is HttpStatusCode.Forbidden)
            {
                code = AuthErrorCode.InsufficientPermission;
            }

            LogCallFailed(_logger, operation, (int)response.StatusCode, word ?? "none");
            throw new FirebaseAuthException(code, $"{Api} {operation} failed: {word ?? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}.", response.StatusCode, word);
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new JsonException();
        }
        catch (JsonException)
        {
            throw new FirebaseAuthException(AuthErrorCode.Unknown, $"{Api} {operation} answered with a body that is not a JSON object.", response.StatusCode);
        }
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private static SignInResult ToSignInResult(JsonElement body, bool registered) => new(
        RequiredString(body, "idToken"),
        RequiredString(body, "refreshToken"),
        ParseExpiresIn(body, "expiresIn"),
        RequiredString(body, "localId"),
        OptionalString(body, "email"),
        OptionalString(body, "displayName"),
        registered,
        body);

    private static UserRecord FirstUser(JsonElement body)
    {
        if (body.TryGetProperty("users", out var users) && users.ValueKind == JsonValueKind.Array && users.GetArrayLength() > 0)
        {
            return ToUserRecord(users[0]);
        }

        throw new FirebaseAuthException(AuthErrorCode.UserNotFound, $"{Api} accounts:lookup found no user.", serverCode: "USER_NOT_FOUND");
    }

    private static UserRecord ToUserRecord(JsonElement user)
    {
        IReadOnlyDictionary<string, JsonElement> claims = new Dictionary<string, JsonElement>();
        if (OptionalString(user, "customAttributes") is { Length: > 0 } attributes)
        {
            try
            {
                using var document = JsonDocument.Parse(attributes);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var root = document.RootElement.Clone();
                    claims = root.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
                }
            }
            catch (JsonException)
            {
            }
        }

        return new UserRecord(
            RequiredString(user, "localId"),
            OptionalString(user, "email"),
            OptionalString(user, "displayName"),
            user.TryGetProperty("disabled", out var disabled) && disabled.ValueKind == JsonValueKind.True,
            user.TryGetProperty("emailVerified", out var verified) && verified.ValueKind == JsonValueKind.True,
            claims,
            OptionalLong(user, "validSince") is { } since ? DateTimeOffset.FromUnixTimeSeconds(since) : null,
            OptionalLong(user, "createdAt") is { } created ? DateTimeOffset.FromUnixTimeMilliseconds(created) : null,
            OptionalLong(user, "lastLoginAt") is { } login ? DateTimeOffset.FromUnixTimeMilliseconds(login) : null);
    }

    private static string SerializeClaims(IReadOnlyDictionary<string, object?> claims)
    {
        foreach (var name in claims.Keys)
        {
            if (ReservedClaims.Contains(name))
            {
                throw new FirebaseAuthException(AuthErrorCode.ForbiddenClaim, $"'{name}' is a reserved claim and cannot be set.");
            }
        }

        var json = JsonSerializer.Serialize(claims);
        if (json.Length > 1000)
        {
            throw new FirebaseAuthException(AuthErrorCode.ClaimsTooLarge, "Custom claims must not exceed 1000 characters of JSON.");
        }

        return json;
    }

    private static string RequiredString(JsonElement body, string name) =>
        OptionalString(body, name) ?? throw new FirebaseAuthException(AuthErrorCode.Unknown, $"{Api} answered without '{name}'.");

    private static string? OptionalString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? OptionalLong(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) switch
        {
            true when value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n) => n,
            true when value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };

    private static TimeSpan ParseExpiresIn(JsonElement body, string name) =>
        TimeSpan.FromSeconds(OptionalLong(body, name) ?? 3600);

    [LoggerMessage(10, LogLevel.Information, "Identity Toolkit {Operation} failed with HTTP {Status} ({ServerCode})")]
    private static partial void LogCallFailed(ILogger logger, string operation, int status, string serverCode);
}
