using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AuthApp.Tests.Hosting;

public sealed class ManifestTests
{
    [Fact]
    public async Task Published_manifest_holds_the_services_redis_container_and_firebase_parameters_only()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var output = Directory.CreateTempSubdirectory("authapp-manifest-").FullName;
        var manifestPath = Path.Combine(output, "aspire-manifest.json");
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "run", "--no-build", "--project", Projects.AuthApp_AppHost.ProjectPath, "--",
                    "--publisher", "manifest", "--output-path", manifestPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // Publishing must not depend on how the developer's local run is configured.
            start.Environment["Cache__Mode"] = "executable";
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            await process.WaitForExitAsync(cancellation);
            Assert.True(process.ExitCode == 0, $"publisher failed: {await stdout}{await stderr}");

            var resources = JsonNode.Parse(await File.ReadAllTextAsync(manifestPath, cancellation))!["resources"]!.AsObject();

            Assert.StartsWith("project.", (string?)resources["api"]?["type"]);
            Assert.StartsWith("project.", (string?)resources["scheduler"]?["type"]);
            Assert.StartsWith("container.", (string?)resources["cache"]?["type"]);
            foreach (var parameter in new[] { "firebase-project-id", "firebase-api-key", "firebase-database-url", "firebase-credentials-json" })
            {
                Assert.StartsWith("parameter.", (string?)resources[parameter]?["type"]);
            }

            Assert.True((bool?)resources["firebase-api-key"]?["inputs"]?["value"]?["secret"]);
            Assert.True((bool?)resources["firebase-credentials-json"]?["inputs"]?["value"]?["secret"]);
            Assert.DoesNotContain(resources, resource => ((string?)resource.Value?["type"])?.StartsWith("executable.", StringComparison.Ordinal) == true);
            Assert.Null(resources["firebase-auth"]);
            Assert.Equal("{firebase-project-id.value}", (string?)resources["api"]?["env"]?["Firebase__ProjectId"]);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
