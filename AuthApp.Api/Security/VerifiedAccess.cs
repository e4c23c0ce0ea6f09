using AuthApp.Api.Caching;
using AuthApp.Api.Errors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace AuthApp.Api.Security;

/// <summary>The original's rule: only users whose record says <c>verifiedAccess: true</c> (a valid license at signup).</summary>
internal sealed class VerifiedAccessRequirement : IAuthorizationRequirement
{
    public const string DeniedMessage = "Access Denied: No License Token";
}

internal sealed class VerifiedAccessHandler(UserCache userCache) : AuthorizationHandler<VerifiedAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, VerifiedAccessRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return;
        }

        // With endpoint routing the resource being authorized is the request itself.
        var cancellation = (context.Resource as HttpContext)?.RequestAborted ?? CancellationToken.None;
        if (await userCache.HasVerifiedAccessAsync(context.User.Uid(), cancellation))
        {
            context.Succeed(requirement);
        }
    }
}

/// <summary>Words the 403 of the verifiedAccess rule as the original did, as a problem response.</summary>
internal sealed class AuthAppAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden
            && authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<VerifiedAccessRequirement>().Any() == true)
        {
            return context.WriteProblemAsync(StatusCodes.Status403Forbidden, "no_license", VerifiedAccessRequirement.DeniedMessage);
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
