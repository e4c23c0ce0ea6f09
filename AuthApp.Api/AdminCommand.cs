using AuthApp.Domain.Licenses;
using Microsoft.Extensions.Options;

namespace AuthApp.Api;

/// <summary>
/// The API's command line for operators and developers, run with the API's own configuration
/// (<c>appsettings*.json</c>, user secrets in Development, environment, <c>--Key=value</c> arguments):
/// <code>
/// dotnet run --project AuthApp.Api -- create-license [--note "text"]
/// dotnet run --project AuthApp.Api -- grant-admin someone@example.com
/// dotnet run --project AuthApp.Api -- development-license
/// </code>
/// Against production it uses the service account from configuration, as the API does. In Development, while
/// an AppHost runs, it uses that AppHost's emulators: the AppHost writes their addresses to
/// <c>AuthApp.AppHost/.run/emulators.json</c> (<c>Emulators:SettingsFile</c>) and this command reads them, so no
/// port has to be looked up. The dashboard's commands on the <c>api</c> resource run this same command.
/// </summary>
internal static class AdminCommand
{
    private static readonly string[] Commands = ["create-license", "grant-admin", "development-license"];

    public static bool IsCommand(string[] args) => args is [var command, ..] && Commands.Contains(command);

    public static async Task<int> RunAsync(string[] args)
    {
        var (command, operand, note, createdBy, configurationArgs) = Parse(args);
        if (command == "grant-admin" && string.IsNullOrWhiteSpace(operand))
        {
            await Console.Error.WriteLineAsync("Usage: grant-admin <email>");
            return 2;
        }

        using var host = Build(configurationArgs);
        try
        {
            var bootstrap = host.Services.GetRequiredService<Bootstrap>();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            switch (command)
            {
                case "create-license":
                    PrintKey("License key", await bootstrap.CreateLicenseAsync(createdBy ?? "command line", note, timeout.Token));
                    break;
                case "development-license":
                    PrintKey("Development license key", await bootstrap.DevelopmentLicenseAsync(timeout.Token));
                    break;
                default:
                    var user = await bootstrap.GrantAdminAsync(operand!, timeout.Token);
                    Console.WriteLine($"User {user.Uid} is now an administrator. They must sign in again to use the admin API.");
                    break;
            }

            return 0;
        }
        catch (OptionsValidationException exception)
        {
            await Console.Error.WriteLineAsync(
                $"Firebase is not configured: {string.Join(" ", exception.Failures)}{Environment.NewLine}" +
                "Locally, start the system first (./run.sh): this command then uses its emulators. Against a real project, " +
                "set Firebase:ProjectId, Firebase:ApiKey, Firebase:DatabaseUrl and the service account as for the API (see README).");
            return 2;
        }
        catch (BootstrapException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message);
            return 1;
        }
        catch (AuthApp.Firebase.FirebaseServiceUnavailableException exception)
        {
            await Console.Error.WriteLineAsync($"Firebase could not be reached: {exception.Message} Is the AppHost (./run.sh) still running?");
            return 3;
        }
        catch (InvalidOperationException exception)
        {
            // A setting the operation needs and validation does not cover (e.g. the database's URL).
            await Console.Error.WriteLineAsync($"Firebase is not configured for this command: {exception.Message}");
            return 2;
        }
    }

    // Machine-readable on its own line: the AppHost reads the key from it.
    private static void PrintKey(string label, LicenseKey license) => Console.WriteLine($"{label}: {license.Key}");

    private static IHost Build(string[] configurationArgs)
    {
        var builder = WebApplication.CreateBuilder(configurationArgs);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // One line says what went wrong; the retries' own warnings (with stack traces) would bury it.
        builder.Logging.AddFilter("Polly", LogLevel.None);
        builder.AddRunningAppHostEmulators();
        builder.AddFirebase();
        builder.Services.AddSingleton<LicenseKeys>();
        builder.Services.AddSingleton<Bootstrap>();
        return builder.Build();
    }

    /// <summary>
    /// In Development, the emulators of the AppHost that is running in this repository (if one is), as it wrote
    /// them on start; they win over any other Firebase settings of Development.
    /// </summary>
    private static void AddRunningAppHostEmulators(this WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        // Emulators:SettingsFile names the file; empty turns the lookup off (the AppHost's own commands pass the
        // settings in the environment instead).
        var file = builder.Configuration["Emulators:SettingsFile"] switch
        {
            null => FindUpwards(AppContext.BaseDirectory, Path.Combine("AuthApp.AppHost", ".run", "emulators.json")),
            "" => null,
            var configured => Path.GetFullPath(configured),
        };
        if (file is not null && File.Exists(file))
        {
            builder.Configuration.AddJsonFile(file, optional: true, reloadOnChange: false);
            Console.Error.WriteLine($"Using the emulators of the running AppHost ({file}).");
        }
    }

    private static string? FindUpwards(string start, string relativePath)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static (string Command, string? Operand, string? Note, string? CreatedBy, string[] ConfigurationArgs) Parse(string[] args)
    {
        string? operand = null, note = null, createdBy = null;
        var configuration = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--note" when i + 1 < args.Length:
                    note = args[++i];
                    break;
                case "--created-by" when i + 1 < args.Length:
                    createdBy = args[++i];
                    break;
                case var value when operand is null && !value.StartsWith('-'):
                    operand = value;
                    break;
                default:
                    configuration.Add(args[i]);
                    break;
            }
        }

        return (args[0], operand, note, createdBy, configuration.ToArray());
    }
}
