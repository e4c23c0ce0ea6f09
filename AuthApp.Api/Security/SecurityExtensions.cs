using AuthApp.Api.Security;
using AuthApp.Firebase.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Microsoft.Extensions.Hosting;

internal static class SecurityExtensions
{
    /// <summary>
    /// Firebase ID tokens through ASP.NET Core's JwtBearer scheme, validated by the library's
    /// <see cref="FirebaseIdTokenValidation"/> (keys, rules, cache of verified tokens); then, on every authenticated
    /// route, the user's access record (not revoked, not disabled, not deleted); the verifiedAccess, admin and
    /// recent-sign-in policies.
    /// </summary>
    public static IHostApplicationBuilder AddAuthAppSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<FirebaseIdTokenValidation>((options, validation) =>
            {
                options.TokenValidationParameters = validation.Parameters;
                options.ConfigurationManager = validation.SigningKeys;
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(validation.Handler);
                options.MapInboundClaims = false;
                options.IncludeErrorDetails = false;
                options.EventsType = typeof(FirebaseBearerEvents);
            });
        builder.Services.AddSingleton<FirebaseBearerEvents>();
        builder.Services.AddHostedService<SigningKeysWarmup>();

        builder.Services.AddSingleton<AccessRecords>();
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(Signed().Build())
            .AddPolicy(Policies.VerifiedAccess, Signed().AddRequirements(VerifiedAccessRequirement.Instance).Build())
            .AddPolicy(Policies.Admin, Signed().RequireClaim(Roles.Admin, "true").Build())
            .AddPolicy(Policies.RecentSignIn, Signed().AddRequirements(RecentSignInRequirement.Instance).Build());
        builder.Services.AddSingleton<IAuthorizationHandler, AccessRecordHandler>();
        builder.Services.AddSingleton<IAuthorizationHandler, RecentSignInHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthAppAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>A verified ID token whose sign-in the account still admits.</summary>
    private static AuthorizationPolicyBuilder Signed() => new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
        .RequireAuthenticatedUser()
        .AddRequirements(ActiveAccountRequirement.Instance);
}
