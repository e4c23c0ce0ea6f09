using AuthApp.Domain.Licenses;
using AuthApp.Firebase;
using AuthApp.Firebase.Authentication;
using Microsoft.Extensions.Options;

namespace AuthApp.Api;

/// <summary>
/// The way to the first account, in one place: a license key to sign up with, and the <c>admin</c> claim for an
/// existing account (who can then create keys through <c>/admin/licenses</c>). The command line
/// (<see cref="AdminCommand"/>), the dashboard's commands on the <c>api</c> resource and the development key
/// printed at start-up all run this code, through the command line.
/// </summary>
internal sealed class Bootstrap(IServiceProvider services, IOptions<FirebaseOptions> firebase, IHostEnvironment environment)
{
    // Each operation resolves only the client it uses: granting admin needs the Auth settings alone, as the
    // operator's grant-admin always has; the license operations need the database's.
    private LicenseKeys Licenses => services.GetRequiredService<LicenseKeys>();

    private FirebaseAuthClient Auth => services.GetRequiredService<FirebaseAuthClient>();

    /// <summary>The <c>createdBy</c> of the development key, so that a later start can find and reuse it.</summary>
    internal const string DevelopmentCreator = "development";

    public Task<LicenseKey> CreateLicenseAsync(string createdBy, string? note, CancellationToken cancellationToken) =>
        Licenses.CreateAsync(createdBy, note, cancellationToken);

    /// <summary>
    /// The development key: an unused one made by an earlier start, or a new one. Only in Development against
    /// both emulators, so that no key is ever minted this way for a real project.
    /// </summary>
    public async Task<LicenseKey> DevelopmentLicenseAsync(CancellationToken cancellationToken)
    {
        var options = firebase.Value;
        if (!environment.IsDevelopment() || !options.UsesAuthEmulator || !options.UsesDatabaseEmulator)
        {
            throw new BootstrapException("The development license key is only made in Development against the Firebase emulators.");
        }

        var unused = (await Licenses.ListAsync(cancellationToken))
            .LastOrDefault(license => license is { CreatedBy: DevelopmentCreator, Revoked: false, UsedBy: null });
        return unused ?? await Licenses.CreateAsync(DevelopmentCreator, "Printed at start-up for local sign-ups", cancellationToken);
    }

    /// <summary>Sets the <c>admin</c> custom claim (keeping the others) on the account with <paramref name="email"/>.</summary>
    public async Task<UserRecord> GrantAdminAsync(string email, CancellationToken cancellationToken)
    {
        UserRecord user;
        try
        {
            user = await Auth.GetUserByEmailAsync(email, cancellationToken);
        }
        catch (FirebaseAuthException exception) when (exception.Code is AuthErrorCode.UserNotFound or AuthErrorCode.EmailNotFound)
        {
            throw new BootstrapException("No account has that email address. Sign up first (README, \"The first account\").");
        }

        var claims = user.CustomClaims.ToDictionary(claim => claim.Key, claim => (object?)claim.Value);
        claims["admin"] = true;
        await Auth.SetCustomClaimsAsync(user.Uid, claims, cancellationToken);
        return user;
    }
}

/// <summary>A bootstrap operation that cannot be done as asked; its message is for the person who asked.</summary>
internal sealed class BootstrapException(string message) : Exception(message);
