using System.Security.Claims;

namespace AuthApp.Api.Security;

public static class CurrentUser
{
    /// <summary>The Firebase uid of an authenticated request.</summary>
    public static string Uid(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The request is not authenticated.");

    public static string? Email(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Email);
}
