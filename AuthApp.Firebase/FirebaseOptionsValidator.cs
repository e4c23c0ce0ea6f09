using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase;

/// <summary>
/// Checks what data annotations cannot. Emulators, unsigned emulator tokens and a local signing-key
/// endpoint are for Development only: anyone can mint an unsigned token for any user, and a stray
/// <c>FIREBASE_AUTH_EMULATOR_HOST</c> in Staging or Production would otherwise change what is trusted.
/// A project that talks to real Google needs credentials and an API key.
/// </summary>
internal sealed class FirebaseOptionsValidator(IHostEnvironment environment) : IValidateOptions<FirebaseOptions>
{
    public ValidateOptionsResult Validate(string? name, FirebaseOptions options)
    {
        var failures = new List<string>();
        var development = environment.IsDevelopment();

        if (!development && (options.UsesAuthEmulator || options.UsesDatabaseEmulator))
        {
            failures.Add(
                $"Firebase emulators may only be used in the Development environment (this is '{environment.EnvironmentName}'): " +
                "unset Firebase:AuthEmulatorHost / Firebase:DatabaseEmulatorHost " +
                "(FIREBASE_AUTH_EMULATOR_HOST / FIREBASE_DATABASE_EMULATOR_HOST).");
        }

        if (options.AcceptEmulatorTokens)
        {
            if (!development)
            {
                failures.Add($"Firebase:AcceptEmulatorTokens (unsigned ID tokens) is refused outside Development (this is '{environment.EnvironmentName}').");
            }

            if (!options.UsesAuthEmulator || !IsLoopback(options.AuthEmulatorHost!))
            {
                failures.Add("Firebase:AcceptEmulatorTokens needs Firebase:AuthEmulatorHost on loopback (127.0.0.1, ::1 or localhost).");
            }
        }

        if (options.IdTokenMetadataAddress is { } metadata)
        {
            if (!development)
            {
                failures.Add($"Firebase:IdTokenMetadataAddress (a local signing-key endpoint) is refused outside Development (this is '{environment.EnvironmentName}').");
            }

            if (!metadata.IsAbsoluteUri
                || !(metadata.Scheme == Uri.UriSchemeHttps || (metadata.Scheme == Uri.UriSchemeHttp && IsLoopback(metadata.Authority))))
            {
                failures.Add("Firebase:IdTokenMetadataAddress must be an https URL, or http on loopback.");
            }
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

    private static bool IsLoopback(string hostPort) =>
        Uri.TryCreate("http://" + hostPort, UriKind.Absolute, out var uri)
        && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
