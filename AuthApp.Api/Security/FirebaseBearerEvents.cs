using AuthApp.Api.Errors;
using AuthApp.Firebase.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace AuthApp.Api.Security;

/// <summary>
/// How the bearer scheme answers. Whatever arrives in <c>Authorization</c>, a token that does not verify is a 401
/// problem, logged at Debug without a stack trace (it is the client's input, not the server's fault). Only when no
/// token could be verified because Google's signing keys are unreachable is it a 503.
/// </summary>
internal sealed partial class FirebaseBearerEvents(FirebaseIdTokenVerifier verifier, ILogger<FirebaseBearerEvents> logger) : JwtBearerEvents
{
    private const string KeysUnavailableKey = "authapp.signing-keys-unavailable";

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        LogRejected(logger, context.Exception.GetType().Name);
        if (context.Exception is SecurityTokenSignatureKeyNotFoundException && await verifier.SigningKeysUnavailableAsync(context.HttpContext.RequestAborted))
        {
            context.HttpContext.Items[KeysUnavailableKey] = true;
        }
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        if (context.HttpContext.Items.ContainsKey(KeysUnavailableKey))
        {
            return context.HttpContext.WriteProblemAsync(
                AppError.Unavailable("The ID token cannot be checked right now; try again shortly.", TimeSpan.FromSeconds(5)));
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        var message = context.AuthenticateFailure switch
        {
            null => "Authorization token is missing.",
            SecurityTokenExpiredException => "The ID token has expired; refresh it and try again.",
            _ => "The ID token is invalid.",
        };
        return context.HttpContext.WriteProblemAsync(AppError.Unauthorized(ProblemCodes.Unauthorized, message));
    }

    public override Task Forbidden(ForbiddenContext context) =>
        context.HttpContext.WriteProblemAsync(AppError.Forbidden(ProblemCodes.Forbidden, "You are not allowed to do this."));

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bearer token refused: {Reason}")]
    private static partial void LogRejected(ILogger logger, string reason);
}
