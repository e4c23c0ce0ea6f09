using System.Diagnostics;
using System.Text.Json.Nodes;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// The manifest is the hand-off to whoever deploys: generated once per class, as <c>scripts/manifest.sh</c> does,
/// and checked for everything ops need from it.
/// </summary>
public sealed class ManifestTests(ManifestTests.Manifest manifest) : IClassFixture<ManifestTests.Manifest>
{
    private static readonly string[] FirebaseParameters = ["firebase-project-id", "firebase-api-key", "firebase-database-url", "firebase-credentials-json"];

    private JsonObject Resources => manifest.Resources;

    [Fact]
    public void The_manifest_holds_the_services_the_redis_container_and_parameters_only()
    {
        Assert.StartsWith("project.", (string?)Resources["api"]?["type"]);
        Assert.StartsWith("project.", (string?)Resources["scheduler"]?["type"]);
        Assert.StartsWith("container.", (string?)Resources["cache"]?["type"]);
        Assert.DoesNotContain(Resources, resource => ((string?)resource.Value?["type"])?.StartsWith("executable.", StringComparison.Ordinal) == true);
        Assert.Null(Resources["firebase-auth"]);
        Assert.Null(Resources["firebase-database"]);
    }

    [Fact]
    public void Only_the_api_is_reachable_from_outside_and_both_services_speak_plain_http_on_8080()
    {
        foreach (var service in new[] { "api", "scheduler" })
        {
            var bindings = Resources[service]!["bindings"]!.AsObject();
            var http = Assert.Single(bindings);
            Assert.Equal("http", http.Key);
            Assert.Equal("http", (string?)http.Value!["scheme"]);
            Assert.Equal(8080, (int?)http.Value["targetPort"]);
            Assert.Equal(service == "api", (bool?)http.Value["external"] ?? false);
            // Aspire's own forwarded-headers switch would trust every proxy; the API trusts the parameter's network.
            Assert.Null(Resources[service]!["env"]!["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        }
    }

    [Fact]
    public void Both_services_declare_two_replicas_a_readiness_probe_on_health_and_a_liveness_probe_on_alive()
    {
        foreach (var service in new[] { "api", "scheduler" })
        {
            var resource = Resources[service]!;
            Assert.Equal(2, (int?)resource["replicas"]);
            Assert.Equal("/health", (string?)resource["probes"]?["readiness"]?["path"]);
            Assert.Equal("/alive", (string?)resource["probes"]?["liveness"]?["path"]);
            Assert.Equal("http", (string?)resource["probes"]?["readiness"]?["endpoint"]);
            Assert.Equal("http", (string?)resource["probes"]?["liveness"]?["endpoint"]);
        }
    }

    [Fact]
    public void Redis_keeps_its_data_on_a_named_volume_with_the_append_only_file()
    {
        var cache = Resources["cache"]!;

        var volume = Assert.Single(cache["volumes"]!.AsArray());
        Assert.Equal("/data", (string?)volume!["target"]);
        Assert.Equal("authapp-redis-data", (string?)volume["name"]);
        Assert.False((bool?)volume["readOnly"] ?? false);
        Assert.Contains("--appendonly yes", string.Join(' ', cache["args"]!.AsArray().Select(arg => (string?)arg)));
    }

    [Fact]
    public void Every_setting_ops_must_decide_is_a_parameter_and_the_secrets_are_marked_secret()
    {
        foreach (var parameter in FirebaseParameters.Append("trusted-proxy-network").Append("cache-password"))
        {
            Assert.StartsWith("parameter.", (string?)Resources[parameter]?["type"]);
        }

        foreach (var secret in new[] { "firebase-api-key", "firebase-credentials-json", "cache-password" })
        {
            Assert.True((bool?)Resources[secret]?["inputs"]?["value"]?["secret"], $"{secret} is not marked secret");
        }

        var api = Resources["api"]!["env"]!;
        Assert.Equal("{firebase-project-id.value}", (string?)api["Firebase__ProjectId"]);
        Assert.Equal("{firebase-api-key.value}", (string?)api["Firebase__ApiKey"]);
        Assert.Equal("{firebase-database-url.value}", (string?)api["Firebase__DatabaseUrl"]);
        Assert.Equal("{firebase-credentials-json.value}", (string?)api["Firebase__CredentialsJson"]);
        Assert.Equal("{trusted-proxy-network.value}", (string?)api["ReverseProxy__TrustedNetworks__0"]);
        Assert.Equal("{firebase-credentials-json.value}", (string?)Resources["scheduler"]!["env"]!["Firebase__CredentialsJson"]);
    }

    [Fact]
    public async Task An_operator_can_point_the_cache_at_a_redis_of_their_own_such_as_a_cluster()
    {
        var resources = await Manifest.GenerateAsync("external");

        Assert.StartsWith("parameter.", (string?)resources["cache"]?["type"]);
        Assert.Equal("{cache.value}", (string?)resources["cache"]?["connectionString"]);
        Assert.True((bool?)resources["cache"]?["inputs"]?["value"]?["secret"]);
        Assert.DoesNotContain(resources, resource => ((string?)resource.Value?["type"])?.StartsWith("container.", StringComparison.Ordinal) == true);
        foreach (var service in new[] { "api", "scheduler" })
        {
            Assert.Equal("{cache.connectionString}", (string?)resources[service]!["env"]!["ConnectionStrings__cache"]);
        }
    }

    /// <summary>The manifest as <c>--publisher manifest</c> writes it, with the machine's own Cache:Mode overridden.</summary>
    public sealed class Manifest : IAsyncLifetime
    {
        private JsonObject? _resources;

        public JsonObject Resources => _resources ?? throw new InvalidOperationException("The manifest was not generated.");

        public async ValueTask InitializeAsync() => _resources = await GenerateAsync("executable");

        /// <summary>Publishing must not depend on how the developer's local run is configured: the mode is named.</summary>
        public static async Task<JsonObject> GenerateAsync(string cacheMode)
        {
            var cancellation = TestContext.Current.CancellationToken;
            var output = Directory.CreateTempSubdirectory("authapp-manifest-").FullName;
            try
            {
                var path = Path.Combine(output, "aspire-manifest.json");
                var start = new ProcessStartInfo("dotnet")
                {
                    ArgumentList = { "run", "--no-build", "--no-launch-profile", "--project", Projects.AuthApp_AppHost.ProjectPath, "--",
                        "--publisher", "manifest", "--output-path", path },
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                start.Environment["Cache__Mode"] = cacheMode;
                using var process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync(cancellation);
                var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
                await process.WaitForExitAsync(cancellation);
                Assert.True(process.ExitCode == 0, $"publisher failed: {await stdout}{await stderr}");
                return JsonNode.Parse(await File.ReadAllTextAsync(path, cancellation))!["resources"]!.AsObject();
            }
            finally
            {
                Directory.Delete(output, recursive: true);
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
