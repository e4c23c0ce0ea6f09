using AuthApp.Api.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Microsoft.Extensions.Hosting;

internal static class SecurityExtensions
{
    /// <summary>Firebase ID-token authentication, the verifiedAccess and admin policies.</summary>
    public static IHostApplicationBuilder AddAuthAppSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(FirebaseAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, FirebaseAuthenticationHandler>(FirebaseAuthenticationHandler.SchemeName, null);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.VerifiedAccess, policy => policy
                .RequireAuthenticatedUser()
                .AddRequirements(new VerifiedAccessRequirement()))
            .AddPolicy(Policies.Admin, policy => policy
                .RequireAuthenticatedUser()
                .RequireRole(Roles.Admin));
        builder.Services.AddSingleton<IAuthorizationHandler, VerifiedAccessHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthAppAuthorizationResultHandler>();
        return builder;
    }
}
