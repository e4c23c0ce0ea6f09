using System.Diagnostics;
using System.Text.Json.Nodes;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// The images <c>dotnet publish -t:PublishContainer</c> builds, as MSBuild computes their configuration
/// (<c>ComputeContainerConfig</c>, which needs neither a daemon nor the base image's registry; publishing does).
/// </summary>
public sealed class ContainerImageTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("AuthApp.Api", "authapp-api")]
    [InlineData("AuthApp.Scheduler", "authapp-scheduler")]
    public async Task The_image_is_named_for_the_service_runs_as_a_non_root_user_exposes_8080_and_can_be_written_to_an_archive(string project, string repository)
    {
        // Without a container daemon the image is written to an archive instead (CI, and machines like this one).
        var archive = Path.Combine(Path.GetTempPath(), $"{repository}.tar.gz");

        var container = await EvaluateAsync(project, $"-p:ContainerArchiveOutputPath={archive}");

        Assert.Equal(repository, (string?)container["Properties"]!["ContainerRepository"]);
        Assert.Equal("app", (string?)container["Properties"]!["ContainerUser"]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", (string?)container["Properties"]!["ContainerBaseImage"]);
        Assert.Equal(archive, (string?)container["Properties"]!["ContainerArchiveOutputPath"]);
        var port = Assert.Single(container["Items"]!["ContainerPort"]!.AsArray());
        Assert.Equal("8080", (string?)port!["Identity"]);
        Assert.Equal("tcp", (string?)port["Type"]);
    }

    private static async Task<JsonNode> EvaluateAsync(string project, params string[] properties)
    {
        var projectFile = RepoPaths.ProjectFile(project);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                "msbuild", projectFile, "-nologo", "-t:ComputeContainerConfig",
                "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage",
                "-getProperty:ContainerArchiveOutputPath", "-getItem:ContainerPort",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var property in properties)
        {
            start.ArgumentList.Add(property);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancellation);
        var error = process.StandardError.ReadToEndAsync(Cancellation);
        await process.WaitForExitAsync(Cancellation);
        Assert.True(process.ExitCode == 0, $"msbuild failed: {await output}{await error}");
        return JsonNode.Parse(await output)!;
    }
}
