using System.Text.Json;
using AuthApp.Firebase.Authentication;

/// <summary>
/// Makes an existing account an administrator (the <c>admin</c> custom claim). This is the documented
/// one-time way to create the first admin; later admins can be made the same way by an operator with the
/// service account. The user must sign in again for the claim to reach their ID token.
/// </summary>
internal static class AdminCommand
{
    public static async Task<int> GrantAsync(string[] args, string email)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddFirebase();
        using var host = builder.Build();
        var auth = host.Services.GetRequiredService<FirebaseAuthClient>();

        try
        {
            var user = await auth.GetUserByEmailAsync(email);
            var claims = user.CustomClaims.ToDictionary(claim => claim.Key, claim => (object?)claim.Value);
            claims["admin"] = true;
            await auth.SetCustomClaimsAsync(user.Uid, claims);
            Console.WriteLine($"User {user.Uid} is now an administrator. They must sign in again to use the admin API.");
            return 0;
        }
        catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.UserNotFound or AuthErrorCode.EmailNotFound)
        {
            Console.Error.WriteLine("No account has that email address.");
            return 1;
        }
    }
}
