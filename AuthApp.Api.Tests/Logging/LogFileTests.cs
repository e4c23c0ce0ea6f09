using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Api.Tests.Logging;

/// <summary>
/// The rolling log file: no secret reaches it, and a replica writes a file of its own whose every line says which
/// replica wrote it.
/// </summary>
public sealed class LogFileTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_password_token_or_full_email_reaches_the_log_file()
    {
        var directory = Directory.CreateTempSubdirectory("authapp-log-file-").FullName;
        try
        {
            const string voiceKey = "AIzaSecretVoiceKey-123456";
            ApiUser user;
            var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?>
            {
                ["Logging:File:Enabled"] = "true",
                ["Logging:File:Path"] = Path.Combine(directory, "app.log"),
                // The levels the API ships with: the file gets what a production replica would write.
                ["Logging:LogLevel:Default"] = "Information",
            });
            await using (api)
            {
                user = await api.SignUpAsync();
                using var client = api.CreateClient();
                await client.PostAsJsonAsync("/auth/login", new { email = user.Email, password = "wrong-password-xyz" }, Cancellation);
                await client.PostAsJsonAsync("/auth/password_reset", new { email = user.Email }, Cancellation);
                await client.PostAsJsonAsync("/auth/refresh", new { refreshToken = user.RefreshToken }, Cancellation);
                await user.Client.PostAsJsonAsync("/auth/set_voice_key", new { apiKey = voiceKey }, Cancellation);
                await user.Client.GetAsync("/auth/profile", Cancellation);
                user.Dispose();
            }

            // Stopped: the file holds everything the API wrote, and nothing more will come.
            var log = string.Concat(Directory.GetFiles(directory).Select(File.ReadAllText));

            Assert.Contains("Sign-in refused", log);
            foreach (var secret in new[] { user.Password, "wrong-password-xyz", user.IdToken, user.RefreshToken, user.Email, voiceKey })
            {
                Assert.DoesNotContain(secret, log);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_replica_writes_its_own_log_file_and_every_line_carries_its_service_instance_id()
    {
        // As the AppHost tells a replica its index and OpenTelemetry id.
        var environment = dependencies.ProcessEnvironment();
        environment["ServiceInstance__Replica"] = "7";
        environment["OTEL_RESOURCE_ATTRIBUTES"] = "service.instance.id=replica-log-test";
        await using var api = await ApiProcess.StartAsync(environment);

        // Ready (/health answered) means it has logged its start (the port it listens on) to the file.
        var file = Path.Combine(api.LogDirectory, "app-7.log");
        await Eventually.TrueAsync(() => File.Exists(file) && new FileInfo(file).Length > 0, $"no {file}:\n{api.Output}");
        Assert.False(File.Exists(Path.Combine(api.LogDirectory, "app.log")), "the replica also wrote the shared file");

        await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = (await reader.ReadToEndAsync(Cancellation)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Equal("replica-log-test", (string?)JsonNode.Parse(line)?["ServiceInstanceId"]));
    }
}
