using System.Text.Json;
using AuthApp.Api.Caching;
using AuthApp.Api.Errors;
using AuthApp.Api.RateLimiting;
using AuthApp.Api.Security;
using AuthApp.Domain.Caching;
using AuthApp.Domain.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthApp.Api.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Accounts");

        auth.MapPost("/signup", SignUpAsync)
            .RequireRateLimiting(RateLimitPolicies.Signup)
            .WithName("SignUp")
            .WithSummary("Creates an account with a signup license key.")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);

        auth.MapPost("/login", SignInAsync)
            .RequireRateLimiting(RateLimitPolicies.Login)
            .AddEndpointFilter<LoginGuardFilter>()
            .WithName("Login")
            .WithSummary("Signs in with email and password; answers Identity Toolkit's sign-in body (idToken, refreshToken, expiresIn, localId, email, ...).")
            .Produces<JsonElement>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        auth.MapPost("/refresh", RefreshAsync)
            .RequireRateLimiting(RateLimitPolicies.Refresh)
            .WithName("Refresh")
            .WithSummary("Exchanges a refresh token for a new ID token.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        auth.MapPost("/password_reset", RequestPasswordResetAsync)
            .RequireRateLimiting(RateLimitPolicies.AccountEmails)
            .AddEndpointFilter<RecipientRateLimitFilter>()
            .WithName("RequestPasswordReset")
            .WithSummary("Sends a password-reset e-mail if the account exists (the answer is the same either way).");

        var signedIn = auth.MapGroup("").RequireAuthorization();
        signedIn.MapPost("/logout", LogOutAsync)
            .WithName("Logout")
            .WithSummary("Revokes every refresh token of the user (signs out on every device).");
        signedIn.MapPost("/verify_email", RequestEmailVerificationAsync)
            .RequireRateLimiting(RateLimitPolicies.VerificationEmails)
            .WithName("RequestEmailVerification")
            .WithSummary("Sends the e-mail address verification message to the signed-in user.");
        signedIn.MapDelete("/account", DeleteAccountAsync)
            .RequireAuthorization(Policies.RecentSignIn)
            .WithName("DeleteAccount")
            .WithSummary("Deletes the account and all of the user's data; needs a sign-in at most 5 minutes old (else 401 reauthentication_required).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var licensed = auth.MapGroup("").RequireAuthorization(Policies.VerifiedAccess);
        licensed.MapGet("/profile", GetProfileAsync)
            .Produces<UserProfile>(contentType: "application/json")
            .WithName("GetProfile")
            .WithSummary("The user's profile: uid, email, name, venues, the first venue's faults, verifiedAccess.");
        licensed.MapPost("/save_fcm_token", SaveFcmTokenAsync)
            .WithName("SaveFcmToken")
            .WithSummary("Stores the device's Firebase Cloud Messaging token for push notifications.");
        licensed.MapPost("/time_zone", SetTimeZoneAsync)
            .WithName("SetTimeZone")
            .WithSummary("Sets the user's IANA time zone; schedules fire at this local time (UTC when unset).");
        return app;
    }

    private static async Task<Ok<SignupResponse>> SignUpAsync(SignupRequest request, SignupService signups, CancellationToken cancellationToken) =>
        TypedResults.Ok(await signups.SignUpAsync(request, cancellationToken));

    private static async Task<Ok<JsonElement>> SignInAsync(LoginRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.SignInAsync(request, cancellationToken));

    private static async Task<Ok<RefreshResponse>> RefreshAsync(RefreshRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.RefreshAsync(request, cancellationToken));

    private static async Task<Ok<MessageResponse>> RequestPasswordResetAsync(PasswordResetRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.RequestPasswordResetAsync(request.Email!, cancellationToken);
        return TypedResults.Ok(new MessageResponse("If an account exists for this email, a password reset email has been sent."));
    }

    /// <summary>The service revokes the presented token itself as well (see <see cref="AccountService.LogOutAsync"/>).</summary>
    private static async Task<Ok<MessageResponse>> LogOutAsync(HttpContext context, AccountService accounts)
    {
        await accounts.LogOutAsync(context.User.Uid(), BearerToken(context), context.User.ExpiresAt(), context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Logged out"));
    }

    private static async Task<Ok<MessageResponse>> RequestEmailVerificationAsync(HttpContext context, AccountService accounts)
    {
        await accounts.RequestEmailVerificationAsync(BearerToken(context), context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Verification email sent"));
    }

    private static async Task<Ok<MessageResponse>> DeleteAccountAsync(HttpContext context, AccountService accounts)
    {
        await accounts.DeleteAccountAsync(context.User.Uid(), context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Account deleted"));
    }

    /// <summary>The ID token the bearer scheme validated for this (authenticated) request.</summary>
    private static string BearerToken(HttpContext context) =>
        PresentedToken.Of(context) ?? throw new InvalidOperationException("An authenticated request carries no bearer token.");

    /// <summary>From the per-user cache: a hit is a memory read.</summary>
    private static Task<IResult> GetProfileAsync(HttpContext context, AccountService accounts, CachedReads cache)
    {
        var uid = context.User.Uid();
        return cache.JsonAsync(UserCacheKeys.Profile(uid), token => accounts.GetProfileAsync(uid, token), context.RequestAborted);
    }

    private static async Task<Ok<MessageResponse>> SaveFcmTokenAsync(FcmTokenRequest request, HttpContext context, AccountService accounts)
    {
        await accounts.SaveFcmTokenAsync(context.User.Uid(), request.Token!, context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("FCM token saved"));
    }

    private static async Task<Ok<MessageResponse>> SetTimeZoneAsync(TimeZoneRequest request, HttpContext context, AccountService accounts)
    {
        await accounts.SetTimeZoneAsync(context.User.Uid(), request.TimeZone!, context.RequestAborted);
        return TypedResults.Ok(new MessageResponse("Time zone saved"));
    }
}
