using AuthApp.Api.Accounts;
using AuthApp.Firebase.Authentication;

namespace AuthApp.Api.RateLimiting;

/// <summary>The per-account half of the login limits, applied once the body (and so the e-mail) is bound.</summary>
internal sealed class LoginGuardFilter(LoginGuard guard) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<LoginRequest>().FirstOrDefault()?.Email is not { Length: > 0 } email)
        {
            return await next(context);
        }

        var address = ClientAddress.Of(context.HttpContext);
        if (await guard.RefusalAsync(email, address) is { } retryAfter)
        {
            await RateLimitingExtensions.RejectAsync(context.HttpContext, retryAfter);
            return Results.Empty;
        }

        try
        {
            var result = await next(context);
            await guard.RecordSuccessAsync(email, address);
            return result;
        }
        catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.InvalidPassword or AuthErrorCode.EmailNotFound
            or AuthErrorCode.InvalidLoginCredentials or AuthErrorCode.UserDisabled)
        {
            await guard.RecordFailureAsync(email, address);
            throw;
        }
    }
}
