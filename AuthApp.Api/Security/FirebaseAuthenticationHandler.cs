using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using AuthApp.Api.Errors;
using AuthApp.Firebase.Authentication;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;Firebase ID token&gt;</c> with the library's local
/// verifier: Google's keys are cached, so a request costs no network call.
/// </summary>
internal sealed class FirebaseAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    FirebaseIdTokenVerifier verifier) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "Firebase";

    private const string FailureKey = "authapp.auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return Fail("The Authorization header must be 'Bearer <ID token>'.");
        }

        try
        {
            var token = await verifier.VerifyIdTokenAsync(header[7..].Trim(), Context.RequestAborted);
            return AuthenticateResult.Success(new AuthenticationTicket(ToPrincipal(token), SchemeName));
        }
        catch (FirebaseAuthException exception) when (exception.Code == AuthErrorCode.IdTokenExpired)
        {
            return Fail("The ID token has expired; refresh it and try again.");
        }
        catch (FirebaseAuthException)
        {
            return Fail("The ID token is invalid.");
        }
    }

    private AuthenticateResult Fail(string message)
    {
        Context.Items[FailureKey] = message;
        return AuthenticateResult.Fail(message);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var message = Context.Items[FailureKey] as string ?? "Authorization token is missing.";
        Response.Headers.WWWAuthenticate = "Bearer";
        return Context.WriteProblemAsync(StatusCodes.Status401Unauthorized, "unauthorized", message);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.WriteProblemAsync(StatusCodes.Status403Forbidden, "forbidden", "You are not allowed to do this.");

    private static ClaimsPrincipal ToPrincipal(FirebaseToken token)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, token.Uid) };
        if (token.Email is { } email)
        {
            claims.Add(new Claim(ClaimTypes.Email, email));
        }

        // Roles are Firebase custom claims, e.g. {"admin": true}, set through the admin API or the grant-admin command.
        if (token.Claims.TryGetValue(Roles.Admin, out var admin) && admin.ValueKind == JsonValueKind.True)
        {
            claims.Add(new Claim(ClaimTypes.Role, Roles.Admin));
        }

        claims.Add(new Claim("auth_time", token.AuthTime.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.NameIdentifier, ClaimTypes.Role));
    }
}
