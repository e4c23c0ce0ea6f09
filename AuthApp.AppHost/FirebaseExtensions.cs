using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>
/// How the services reach Firebase: in a local run, the official Auth emulator (firebase-tools pinned in
/// <c>firebase/package.json</c>) and the project's Realtime Database emulator; in the published manifest, the
/// real project's settings as parameters.
/// </summary>
internal sealed record FirebaseResources(
    IResourceBuilder<ExecutableResource>? AuthEmulator,
    IResourceBuilder<ProjectResource>? DatabaseEmulator,
    IResourceBuilder<ParameterResource>? ProjectId,
    IResourceBuilder<ParameterResource>? ApiKey,
    IResourceBuilder<ParameterResource>? DatabaseUrl,
    IResourceBuilder<ParameterResource>? Credentials)
{
    /// <summary>
    /// The settings that point a process at the emulators (configuration keys, <c>:</c>-separated), resolved:
    /// what the projects get as environment, for the command line and the dashboard's commands.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ResolveEmulatorSettingsAsync(CancellationToken cancellationToken)
    {
        if (this is not { AuthEmulator: { } auth, DatabaseEmulator: { } database })
        {
            throw new InvalidOperationException("The emulators only exist in a local run.");
        }

        return new Dictionary<string, string>
        {
            ["Firebase:ProjectId"] = FirebaseExtensions.EmulatorProjectId,
            ["Firebase:AuthEmulatorHost"] = (await FirebaseExtensions.LoopbackAddress(auth.GetEndpoint("http")).GetValueAsync(cancellationToken))!,
            ["Firebase:DatabaseEmulatorHost"] = (await FirebaseExtensions.LoopbackAddress(database.GetEndpoint("http")).GetValueAsync(cancellationToken))!,
        };
    }
}

internal static class FirebaseExtensions
{
    /// <summary>The emulators' project id: the <c>demo-</c> prefix keeps firebase-tools fully offline.</summary>
    public const string EmulatorProjectId = "demo-authapp";

    // Per-run folders of the Auth emulator (its firebase.json, HOME and TMPDIR), named after the AppHost's pid.
    private const string RunDirectoryPrefix = "authapp-firebase-";

    public static FirebaseResources AddFirebase(this IDistributedApplicationBuilder builder, LocalData localData)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new FirebaseResources(
                AuthEmulator: null,
                DatabaseEmulator: null,
                ProjectId: builder.AddParameter("firebase-project-id"),
                ApiKey: builder.AddParameter("firebase-api-key", secret: true),
                DatabaseUrl: builder.AddParameter("firebase-database-url"),
                Credentials: builder.AddParameter("firebase-credentials-json", secret: true));
        }

        return new FirebaseResources(
            builder.AddFirebaseAuthEmulator("firebase-auth", localData),
            builder.AddFirebaseDatabaseEmulator("firebase-database", localData),
            null, null, null, null);
    }

    public static IResourceBuilder<ProjectResource> WithFirebase(this IResourceBuilder<ProjectResource> project, FirebaseResources firebase)
    {
        if (firebase is { AuthEmulator: { } authEmulator, DatabaseEmulator: { } databaseEmulator })
        {
            return project
                .WithEnvironment("Firebase__ProjectId", EmulatorProjectId)
                .WithEnvironment("Firebase__AuthEmulatorHost", LoopbackAddress(authEmulator.GetEndpoint("http")))
                .WithEnvironment("Firebase__DatabaseEmulatorHost", LoopbackAddress(databaseEmulator.GetEndpoint("http")))
                .WithEnvironment("Firebase__AcceptEmulatorTokens", "true") // the emulator's tokens are unsigned; Development only
                .WaitFor(authEmulator)
                .WaitFor(databaseEmulator);
        }

        return project
            .WithEnvironment("Firebase__ProjectId", firebase.ProjectId!)
            .WithEnvironment("Firebase__ApiKey", firebase.ApiKey!)
            .WithEnvironment("Firebase__DatabaseUrl", firebase.DatabaseUrl!)
            .WithEnvironment("Firebase__CredentialsJson", firebase.Credentials!);
    }

    // The Firebase SDKs' emulator variables take host:port; the emulators listen on IPv4 loopback.
    internal static ReferenceExpression LoopbackAddress(EndpointReference endpoint) =>
        ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");

    /// <summary>
    /// The project's own Realtime Database emulator (the official one needs Java 21 and a download).
    /// It enforces the repository's rules and, when <see cref="LocalData.Persist"/>, keeps its data in
    /// <c>.data/database.json</c> so that it survives a restart. Its port is <c>Ports:Database</c> (9000).
    /// </summary>
    private static IResourceBuilder<ProjectResource> AddFirebaseDatabaseEmulator(this IDistributedApplicationBuilder builder, string name, LocalData localData)
    {
        var rules = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "firebase", "database.rules.json"));
        var emulator = builder.AddProject<Projects.AuthApp_DatabaseEmulator>(name)
            .WithConfiguredPort(PortSettings.Database)
            .WithoutDevelopmentCertificate()
            .WithEnvironment("Rules__Path", rules)
            .WithEnvironment("Database__DefaultNamespace", EmulatorProjectId + "-default-rtdb")
            .WithHttpHealthCheck("/__health")
            .ExcludeFromManifest();
        if (localData.Persist)
        {
            emulator.WithEnvironment("Persistence__Path", localData.PathOf("database.json"));
        }

        return emulator;
    }

    /// <summary>
    /// Runs <c>firebase emulators:start --only auth</c> with a firebase.json generated for this run, so that
    /// an AppHost and a test run side by side never fight over the emulator's fixed hub and logging ports.
    /// When <see cref="LocalData.Persist"/>, the accounts are imported from <c>.data/auth</c> on start and
    /// exported there when the emulator stops (it exports on SIGINT/SIGTERM, which is how the orchestrator
    /// stops it); a first start finds nothing to import and starts empty.
    /// </summary>
    private static IResourceBuilder<ExecutableResource> AddFirebaseAuthEmulator(this IDistributedApplicationBuilder builder, string name, LocalData localData)
    {
        var firebaseDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "firebase"));
        var cli = Path.Combine(firebaseDirectory, "node_modules", ".bin", "firebase");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"firebase-tools is not installed: run 'npm ci' in {firebaseDirectory} (./run.sh does it for you).");
        }

        var runDirectory = CreateRunDirectory();
        var authPort = FreePort();
        var configPath = Path.Combine(runDirectory, "firebase.json");
        File.WriteAllText(configPath, new JsonObject
        {
            ["emulators"] = new JsonObject
            {
                ["singleProjectMode"] = true,
                ["ui"] = new JsonObject { ["enabled"] = false },
                ["auth"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = authPort },
                ["hub"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = FreePort() },
                ["logging"] = new JsonObject { ["host"] = "127.0.0.1", ["port"] = FreePort() },
            },
        }.ToJsonString());

        var arguments = new List<string> { "emulators:start", "--only", "auth", "--project", EmulatorProjectId, "--config", configPath };
        if (localData.Persist)
        {
            var accounts = localData.PathOf("auth");
            arguments.AddRange(["--import", accounts, "--export-on-exit", accounts]);
        }

        return builder.AddExecutable(name, cli, firebaseDirectory, [.. arguments])
            // firebase-tools keeps its settings under HOME and the hub its locator file in TMPDIR: both in this
            // run's folder rather than in /root and /tmp, where a test run's emulator would overwrite this one's
            // locator and the export on exit could reach the wrong hub.
            .WithEnvironment("HOME", runDirectory)
            .WithEnvironment("TMPDIR", runDirectory)
            .WithEnvironment("NO_UPDATE_NOTIFIER", "1")
            .WithHttpEndpoint(port: authPort, targetPort: authPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/")
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A folder for this run under the system's temp folder, named after the AppHost's process. It cannot go when
    /// the AppHost stops: the orchestrator stops the emulator only after that, and the emulator needs its hub
    /// locator file (in TMPDIR) to export the accounts on its way out. So each start deletes the folders of runs
    /// whose AppHost is gone, and <c>run.sh</c> deletes its own once every process of the run has ended.
    /// </summary>
    private static string CreateRunDirectory()
    {
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), RunDirectoryPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(stale)[RunDirectoryPrefix.Length..].Split('-')[0], out var pid) && !LocalProcesses.IsRunning(pid))
            {
                TryDelete(stale);
            }
        }

        return Directory.CreateTempSubdirectory($"{RunDirectoryPrefix}{Environment.ProcessId}-").FullName;
    }

    internal static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
            // In use or already gone; the next start sweeps it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Removes a file or folder that only matters while the AppHost runs.</summary>
    internal sealed class DeleteOnStop(string path) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            TryDelete(path);
            return Task.CompletedTask;
        }
    }
}
