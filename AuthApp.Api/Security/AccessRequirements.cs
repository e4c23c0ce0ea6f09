using AuthApp.Api.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuthApp.Api.Security;

/// <summary>Every authenticated route: the account exists, is enabled, and neither the token's sign-in nor the token itself is revoked.</summary>
internal sealed class ActiveAccountRequirement : IAuthorizationRequirement
{
    public static readonly ActiveAccountRequirement Instance = new();
}

/// <summary>The original's rule: only users whose record says <c>verifiedAccess: true</c> (a valid license at signup).</summary>
internal sealed class VerifiedAccessRequirement : IAuthorizationRequirement
{
    public const string DeniedMessage = "Access Denied: No License Token";

    public static readonly VerifiedAccessRequirement Instance = new();
}

/// <summary>Both requirements from one read of the user's <see cref="AccessRecord"/> (a memory hit, normally).</summary>
internal sealed class AccessRecordHandler(AccessRecords records) : IAuthorizationHandler
{
    public async Task HandleAsync(AuthorizationHandlerContext context)
    {
        var pending = context.PendingRequirements.Where(r => r is ActiveAccountRequirement or VerifiedAccessRequirement).ToList();
        if (pending.Count == 0 || context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // With endpoint routing the resource being authorized is the request itself.
        var request = context.Resource as HttpContext;
        var record = await records.GetAsync(context.User.Uid(), request?.RequestAborted ?? CancellationToken.None);
        foreach (var requirement in pending)
        {
            var met = requirement switch
            {
                ActiveAccountRequirement => record.Admits(context.User.AuthTime(), request is null ? null : PresentedToken.Of(request)),
                _ => record.VerifiedAccess,
            };
            if (met)
            {
                context.Succeed(requirement);
            }
        }
    }
}

/// <summary>
/// Account deletion needs a recent sign-in (<c>auth_time</c>), as Firebase asks for sensitive operations: a token
/// taken from a device an hour ago must not be enough to destroy the account.
/// </summary>
internal sealed class RecentSignInRequirement : IAuthorizationRequirement
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public static readonly RecentSignInRequirement Instance = new();
}

internal sealed class RecentSignInHandler(TimeProvider clock) : AuthorizationHandler<RecentSignInRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RecentSignInRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && clock.GetUtcNow() - context.User.AuthTime() <= RecentSignInRequirement.MaxAge)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Words each refusal as a problem: revoked sessions and stale sign-ins are 401 (sign in again), no license is the original's 403.</summary>
internal sealed class AuthAppAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var failed = authorizeResult.Forbidden ? authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [] : [];
        if (failed.OfType<ActiveAccountRequirement>().Any())
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return context.WriteProblemAsync(AppError.Unauthorized(ProblemCodes.TokenRevoked,
                "This session has been revoked or the account is no longer active; sign in again."));
        }

        if (failed.OfType<RecentSignInRequirement>().Any())
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return context.WriteProblemAsync(AppError.Unauthorized(ProblemCodes.ReauthenticationRequired,
                "This operation needs a recent sign-in; sign in again and retry."));
        }

        if (failed.OfType<VerifiedAccessRequirement>().Any())
        {
            return context.WriteProblemAsync(AppError.Forbidden(ProblemCodes.NoLicense, VerifiedAccessRequirement.DeniedMessage));
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
