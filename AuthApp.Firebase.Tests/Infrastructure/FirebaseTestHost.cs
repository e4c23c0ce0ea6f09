using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AuthApp.Firebase.Tests.Infrastructure;

/// <summary>Builds a generic host the way the API does: configuration + <c>AddFirebase()</c>.</summary>
public static class FirebaseTestHost
{
    public const string ProjectId = AuthEmulatorFixture.ProjectId;

    public static IHost Build(
        IDictionary<string, string?> settings,
        Action<HostApplicationBuilder>? configure = null,
        string environment = "Development")
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = environment });
        var all = new Dictionary<string, string?>
        {
            ["Firebase:ProjectId"] = ProjectId,
            ["Firebase:RetryBaseDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Services.AddLogging();
        configure?.Invoke(builder);
        builder.AddFirebase();
        return builder.Build();
    }

    /// <summary>Settings for talking to real-Google-shaped endpoints (credentials are not read unless needed).</summary>
    public static Dictionary<string, string?> ProductionLike(params (string Key, string? Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Firebase:ApiKey"] = "test-api-key",
            ["Firebase:CredentialsFile"] = "/nonexistent/never-read.json",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }
}
