using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase;

/// <summary>
/// Checks what data annotations cannot: emulators are refused in Production (an emulator accepts
/// unsigned ID tokens, so a stray <c>FIREBASE_AUTH_EMULATOR_HOST</c> would let anyone in), and a
/// project that talks to real Google needs credentials and an API key.
/// </summary>
internal sealed class FirebaseOptionsValidator(IHostEnvironment environment) : IValidateOptions<FirebaseOptions>
{
    public ValidateOptionsResult Validate(string? name, FirebaseOptions options)
    {
        var failures = new List<string>();

        if (environment.IsProduction() && (options.UsesAuthEmulator || options.UsesDatabaseEmulator))
        {
            failures.Add(
                "Firebase emulators must not be used in the Production environment: " +
                "unset Firebase:AuthEmulatorHost / Firebase:DatabaseEmulatorHost " +
                "(FIREBASE_AUTH_EMULATOR_HOST / FIREBASE_DATABASE_EMULATOR_HOST).");
        }

        if (!options.UsesAuthEmulator && !options.UsesDatabaseEmulator
            && string.IsNullOrWhiteSpace(options.CredentialsFile) && string.IsNullOrWhiteSpace(options.CredentialsJson))
        {
            failures.Add("Firebase needs service-account credentials: set Firebase:CredentialsFile or Firebase:CredentialsJson.");
        }

        if (!options.UsesAuthEmulator && string.IsNullOrWhiteSpace(options.ApiKey))
        {
            failures.Add("Firebase:ApiKey (the web API key) is required unless the Auth emulator is used.");
        }

        if (options.UsesAuthEmulator && !IsHostPort(options.AuthEmulatorHost!))
        {
            failures.Add("Firebase:AuthEmulatorHost must be host:port.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsHostPort(string value) =>
        Uri.TryCreate("http://" + value, UriKind.Absolute, out var uri) && uri.PathAndQuery == "/" && !uri.IsDefaultPort;
}
