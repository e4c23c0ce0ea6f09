using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// The way to the first account where developers already are (local runs only):
/// <list type="bullet">
/// <item>dashboard commands on the <c>api</c> resource: <b>Create license key</b> and <b>Grant admin</b>;</item>
/// <item>the emulators' addresses written to <c>.run/emulators.json</c> (<c>Emulators:SettingsFile</c>), where
/// <c>dotnet run --project AuthApp.Api -- create-license | grant-admin &lt;email&gt;</c> finds them;</item>
/// <item>a development license key printed once the API answers (<c>Bootstrap:DevelopmentKey</c>).</item>
/// </list>
/// All three run the API's own command line (<c>AdminCommand</c>) with the emulators' settings, rather than a
/// copy of its logic here: one implementation, the same configuration rules and validation as the API, and the
/// AppHost stays free of the API's Firebase and domain libraries.
/// </summary>
internal static class BootstrapExtensions
{
    public static IResourceBuilder<ProjectResource> WithBootstrapCommands(this IResourceBuilder<ProjectResource> api, FirebaseResources firebase)
    {
        var builder = api.ApplicationBuilder;
        if (!builder.ExecutionContext.IsRunMode)
        {
            return api;
        }

        var commandLine = new ApiCommandLine(api.Resource.Annotations.OfType<IProjectMetadata>().Last().ProjectPath, firebase);
        api.WithCommand("create-license", "Create license key",
            context => CreateLicenseAsync(commandLine, context),
            new CommandOptions
            {
                Description = "Creates a signup license key in the local Realtime Database.",
                IconName = "Key",
                Arguments = [new InteractionInput { Name = "note", Label = "Note", InputType = InputType.Text, Required = false }],
            });
        api.WithCommand("grant-admin", "Grant admin",
            context => GrantAdminAsync(commandLine, context),
            new CommandOptions
            {
                Description = "Gives an existing account the admin claim (they sign in again to receive it).",
                IconName = "PersonStar",
                Arguments = [new InteractionInput { Name = "email", Label = "E-mail of the account", InputType = InputType.Text, Required = true }],
            });

        var settingsFile = builder.Configuration["Emulators:SettingsFile"] is { } configured
            ? (configured.Length == 0 ? null : Path.GetFullPath(configured, builder.AppHostDirectory))
            : Path.Combine(builder.AppHostDirectory, ".run", "emulators.json");
        if (settingsFile is not null)
        {
            // Stale addresses would send the command line to ports that no longer answer.
            builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostedService>(new FirebaseExtensions.DeleteOnStop(settingsFile));
        }

        var printKey = builder.Configuration.GetValue("Bootstrap:DevelopmentKey", true);
        var started = 0;
        builder.Eventing.Subscribe<ResourceReadyEvent>(api.Resource, (ready, cancellationToken) =>
        {
            // Once, and in the background: dependents wait for this handler to return.
            if (Interlocked.Exchange(ref started, 1) == 0)
            {
                _ = OnApiReadyAsync(ready.Services, api.Resource, firebase, commandLine, settingsFile, printKey);
            }

            return Task.CompletedTask;
        });
        return api;
    }

    private static async Task<ExecuteCommandResult> CreateLicenseAsync(ApiCommandLine commandLine, ExecuteCommandContext context)
    {
        var note = context.Arguments.TryGetByName("note", out var input) ? input.Value : null;
        string[] arguments = string.IsNullOrWhiteSpace(note)
            ? ["create-license", "--created-by", "dashboard"]
            : ["create-license", "--created-by", "dashboard", "--note", note];
        var run = await commandLine.RunAsync(arguments, context.CancellationToken);
        return run.Value("License key") is { } key
            ? CommandResults.Success($"License key {key} created.", key, CommandResultFormat.Text, displayImmediately: true)
            : CommandResults.Failure(run.Failure);
    }

    private static async Task<ExecuteCommandResult> GrantAdminAsync(ApiCommandLine commandLine, ExecuteCommandContext context)
    {
        var email = context.Arguments.TryGetByName("email", out var input) ? input.Value?.Trim() : null;
        if (string.IsNullOrEmpty(email))
        {
            return CommandResults.Failure("An e-mail address is required.");
        }

        var run = await commandLine.RunAsync(["grant-admin", email], context.CancellationToken);
        return run.ExitCode == 0 ? CommandResults.Success(run.Output.Trim()) : CommandResults.Failure(run.Failure);
    }

    private static async Task OnApiReadyAsync(
        IServiceProvider services, ProjectResource api, FirebaseResources firebase, ApiCommandLine commandLine, string? settingsFile, bool printKey)
    {
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("AuthApp.AppHost.Bootstrap");
        var resourceLog = services.GetRequiredService<ResourceLoggerService>().GetLogger(api);
        try
        {
            if (settingsFile is not null)
            {
                await WriteSettingsFileAsync(settingsFile, await firebase.ResolveEmulatorSettingsAsync(CancellationToken.None));
            }

            if (!printKey)
            {
                return;
            }

            var run = await commandLine.RunAsync(["development-license"], CancellationToken.None);
            if (run.Value("Development license key") is { } key)
            {
                logger.LogInformation("Development license key: {Key}  (sign up with it; README, \"The first account\")", key);
                resourceLog.LogInformation("Development license key: {Key}", key);
            }
            else
            {
                logger.LogWarning("No development license key: {Failure}", run.Failure);
            }
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            logger.LogWarning("Development bootstrap failed: {Error}", exception.Message);
        }
    }

    /// <summary><c>{"Firebase": {"ProjectId": ..., "AuthEmulatorHost": ..., ...}}</c>: a configuration file the API's command line loads.</summary>
    private static async Task WriteSettingsFileAsync(string path, IReadOnlyDictionary<string, string> settings)
    {
        var root = new JsonObject();
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var section = root;
            foreach (var part in parts[..^1])
            {
                section = (JsonObject)(section[part] ??= new JsonObject());
            }

            section[parts[^1]] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, root.ToJsonString(new() { WriteIndented = true }));
    }
}

/// <summary>Runs <c>dotnet run --project AuthApp.Api -- &lt;command&gt;</c> against this run's emulators.</summary>
internal sealed class ApiCommandLine(string projectPath, FirebaseResources firebase)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    // The configuration the AppHost itself was built in is the one its projects were built in (--no-build).
    private static readonly string? BuildConfiguration =
        typeof(ApiCommandLine).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;

    public async Task<CommandLineRun> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(projectPath),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["run", "--no-build", "--no-launch-profile", "--project", projectPath])
        {
            start.ArgumentList.Add(argument);
        }

        if (BuildConfiguration is not null)
        {
            start.ArgumentList.Add("--configuration");
            start.ArgumentList.Add(BuildConfiguration);
        }

        start.ArgumentList.Add("--");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The emulators' settings come from here, not from a settings file another AppHost may have written.
        start.Environment["Emulators__SettingsFile"] = "";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        foreach (var (key, value) in await firebase.ResolveEmulatorSettingsAsync(cancellationToken))
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return new CommandLineRun(process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }
}

internal sealed record CommandLineRun(int ExitCode, string Output, string Error)
{
    /// <summary>The value of a <c>Label: value</c> line of a successful run.</summary>
    public string? Value(string label) => ExitCode != 0
        ? null
        : Output.Split('\n').Select(line => line.Trim())
            .Where(line => line.StartsWith(label + ": ", StringComparison.Ordinal))
            .Select(line => line[(label.Length + 2)..])
            .FirstOrDefault();

    public string Failure => string.IsNullOrWhiteSpace(Error) ? $"The command exited with code {ExitCode}." : Error.Trim();
}
