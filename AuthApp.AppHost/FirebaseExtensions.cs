using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting;

/// <summary>
/// How the services reach Firebase: in a local run, the official Auth emulator (firebase-tools pinned in
/// <c>firebase/package.json</c>); in the published manifest, the real project's settings as parameters.
/// </summary>
internal sealed record FirebaseResources(
    IResourceBuilder<ExecutableResource>? AuthEmulator,
    IResourceBuilder<ProjectResource>? DatabaseEmulator,
    IResourceBuilder<ParameterResource>? ProjectId,
    IResourceBuilder<ParameterResource>? ApiKey,
    IResourceBuilder<ParameterResource>? DatabaseUrl,
    IResourceBuilder<ParameterResource>? Credentials);

internal static class FirebaseExtensions
{
    /// <summary>The emulators' project id: the <c>demo-</c> prefix keeps firebase-tools fully offline.</summary>
    public const string EmulatorProjectId = "demo-authapp";

    public static FirebaseResources AddFirebase(this IDistributedApplicationBuilder builder)
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
            builder.AddFirebaseAuthEmulator("firebase-auth"),
            builder.AddFirebaseDatabaseEmulator("firebase-database"),
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
    private static ReferenceExpression LoopbackAddress(EndpointReference endpoint) =>
        ReferenceExpression.Create($"127.0.0.1:{endpoint.Property(EndpointProperty.Port)}");

    /// <summary>
    /// The project's own Realtime Database emulator (the official one needs Java 21 and a download).
    /// It enforces the repository's <c>.indexOn</c> rules and, unless <c>Database:Persist</c> is false,
    /// keeps its data in <c>AuthApp.AppHost/.data/</c> so that it survives a restart.
    /// </summary>
    private static IResourceBuilder<ProjectResource> AddFirebaseDatabaseEmulator(this IDistributedApplicationBuilder builder, string name)
    {
        var rules = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "firebase", "database.rules.json"));
        var emulator = builder.AddProject<Projects.AuthApp_DatabaseEmulator>(name)
            .WithEnvironment("Rules__Path", rules)
            .WithEnvironment("Database__DefaultNamespace", EmulatorProjectId + "-default-rtdb")
            .WithHttpHealthCheck("/__health")
            .ExcludeFromManifest();
        if (builder.Configuration.GetValue("Database:Persist", true))
        {
            emulator.WithEnvironment("Persistence__Path", Path.Combine(builder.AppHostDirectory, ".data", "database.json"));
        }

        return emulator;
    }

    /// <summary>
    /// Runs <c>firebase emulators:start --only auth</c> with a firebase.json generated for this run, so that
    /// an AppHost and a test run side by side never fight over the emulator's fixed hub and logging ports.
    /// </summary>
    private static IResourceBuilder<ExecutableResource> AddFirebaseAuthEmulator(this IDistributedApplicationBuilder builder, string name)
    {
        var firebaseDirectory = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "firebase"));
        var cli = Path.Combine(firebaseDirectory, "node_modules", ".bin", "firebase");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException($"firebase-tools is not installed: run 'npm ci' in {firebaseDirectory} (./run.sh does it for you).");
        }

        var runDirectory = Directory.CreateTempSubdirectory("authapp-firebase-").FullName;
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

        return builder.AddExecutable(name, cli, firebaseDirectory,
                "emulators:start", "--only", "auth", "--project", EmulatorProjectId, "--config", configPath)
            // firebase-tools keeps its settings under HOME; keep them out of the developer's.
            .WithEnvironment("HOME", runDirectory)
            .WithEnvironment("NO_UPDATE_NOTIFIER", "1")
            .WithHttpEndpoint(port: authPort, targetPort: authPort, name: "http", isProxied: false)
            .WithHttpHealthCheck("/")
            .ExcludeFromManifest();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
