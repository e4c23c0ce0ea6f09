using AuthApp.Firebase;
using AuthApp.Firebase.Authentication;
using AuthApp.Firebase.Database;
using AuthApp.Firebase.Messaging;
using AuthApp.Firebase.Credentials;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class FirebaseExtensions
{
    /// <summary>
    /// Registers the Firebase clients (Authentication, ID-token verification, Realtime Database,
    /// Cloud Messaging) with options bound from the <c>Firebase</c> section and validated on start.
    /// </summary>
    public static IHostApplicationBuilder AddFirebase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<FirebaseOptions>()
            .Bind(builder.Configuration.GetSection(FirebaseOptions.SectionName))
            .PostConfigure(options =>
            {
                // The standard variables of the Firebase SDKs win when the section leaves them empty.
                options.AuthEmulatorHost ??= builder.Configuration["FIREBASE_AUTH_EMULATOR_HOST"];
                options.DatabaseEmulatorHost ??= builder.Configuration["FIREBASE_DATABASE_EMULATOR_HOST"];
                if (string.IsNullOrWhiteSpace(options.CredentialsJson))
                {
                    options.CredentialsFile ??= builder.Configuration["GOOGLE_APPLICATION_CREDENTIALS"];
                }
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirebaseOptions>, FirebaseOptionsValidator>());
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.AddFirebaseCredentials();
        builder.AddFirebaseAuthentication();
        builder.AddFirebaseDatabase();
        builder.AddFirebaseMessaging();
        return builder;
    }
}
