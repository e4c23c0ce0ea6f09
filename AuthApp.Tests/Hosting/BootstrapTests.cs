using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using AuthApp.Tests.Infrastructure;

namespace AuthApp.Tests.Hosting;

/// <summary>
/// The way to the first account without reading the tests: the dashboard's commands on the <c>api</c> resource,
/// the API's command line with the AppHost's settings, and the development key printed at start-up.
/// </summary>
public sealed partial class BootstrapTests(AppHostFixture host)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_create_license_command_on_the_api_resource_makes_a_key_that_admits_a_signup()
    {
        var result = await ExecuteOnOneReplicaAsync("create-license", new InteractionInput { Name = "note", InputType = InputType.Text, Value = "from a test" });

        Assert.True(result.Success, result.Message);
        var key = result.Data?.Value;
        Assert.Matches(LicenseKey(), key ?? "");
        await SignUpAsync(ApiUsers.NewEmail("dashboard"), key!);
        var stored = await host.ReadDatabaseAsync($"licenseKeys/{key}");
        Assert.Equal("dashboard", (string?)stored?["createdBy"]);
        Assert.Equal("from a test", (string?)stored?["note"]);
    }

    [Fact]
    public async Task The_grant_admin_command_makes_an_account_an_administrator_once_it_signs_in_again()
    {
        using var user = await host.SignUpAsync();

        var result = await ExecuteOnOneReplicaAsync("grant-admin", new InteractionInput { Name = "email", InputType = InputType.Text, Value = user.Email });

        Assert.True(result.Success, result.Message);
        // The token from before the grant carries no admin claim; one from a new sign-in does.
        using var before = await user.Client.PostAsJsonAsync("/admin/licenses", new { note = "not yet" }, Cancellation);
        Assert.Equal("forbidden", (string?)(await before.ReadProblemAsync(HttpStatusCode.Forbidden))["code"]);
        var (idToken, _) = await host.SignInAsync(user.Email, user.Password);
        using var admin = host.CreateApiClient(idToken);
        using var created = await admin.PostAsJsonAsync("/admin/licenses", new { note = "by the first admin" }, Cancellation);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Fact]
    public async Task The_grant_admin_command_refuses_an_address_without_an_account()
    {
        var result = await ExecuteOnOneReplicaAsync("grant-admin", new InteractionInput { Name = "email", InputType = InputType.Text, Value = ApiUsers.NewEmail("nobody") });

        Assert.False(result.Success);
        Assert.Contains("No account has that email address", result.Message);
    }

    [Fact]
    public async Task The_command_line_uses_the_running_apphosts_emulators_to_create_a_license_key()
    {
        var run = await RunCommandLineAsync(["create-license", "--note", "from the command line"], AuthAppHost.EmulatorSettingsFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        var key = LicenseKey().Match(run.Output).Value;
        await SignUpAsync(ApiUsers.NewEmail("cli"), key);
    }

    [Fact]
    public async Task The_command_line_grants_admin_keeps_the_other_claims_and_names_the_account_by_its_uid_only()
    {
        using var user = await host.SignUpAsync();
        await AuthEmulatorFixture.CallAsync(host.AuthEmulatorHost, HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AppHostFixture.ProjectId}/accounts:update",
            new JsonObject { ["localId"] = user.Uid, ["customAttributes"] = """{"tier":"gold","beta":true}""" });

        var run = await RunCommandLineAsync(["grant-admin", user.Email], AuthAppHost.EmulatorSettingsFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"User {user.Uid} is now an administrator", run.Output);
        Assert.DoesNotContain(user.Email, run.Output);
        var account = await AuthEmulatorFixture.CallAsync(host.AuthEmulatorHost, HttpMethod.Post,
            $"identitytoolkit.googleapis.com/v1/projects/{AppHostFixture.ProjectId}/accounts:lookup",
            new JsonObject { ["localId"] = new JsonArray(user.Uid) });
        var claims = JsonNode.Parse((string)account!["users"]![0]!["customAttributes"]!)!;
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["tier"] = "gold", ["beta"] = true, ["admin"] = true }, claims), claims.ToJsonString());
    }

    [Fact]
    public async Task The_command_line_without_firebase_settings_says_what_to_do_instead_of_crashing()
    {
        var run = await RunCommandLineAsync(["grant-admin", "someone@example.com"], settingsFile: null);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("./run.sh", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
    }

    [Fact]
    public async Task A_development_license_key_is_logged_once_the_api_answers_and_admits_a_signup()
    {
        var replica = (await host.App.InstancesAsync("api", Cancellation)).First();
        var logs = host.App.Services.GetRequiredService<ResourceLoggerService>();
        string? key = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var batch in logs.WatchAsync(replica.ResourceId).WithCancellation(deadline.Token))
            {
                key = batch.Select(line => DevelopmentKeyLine().Match(line.Content)).FirstOrDefault(match => match.Success)?.Groups["key"].Value;
                if (key is not null)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!Cancellation.IsCancellationRequested)
        {
        }

        Assert.True(key is not null, "no development license key in the api resource's log");
        await SignUpAsync(ApiUsers.NewEmail("devkey"), key);
    }

    private async Task<ExecuteCommandResult> ExecuteOnOneReplicaAsync(string command, InteractionInput argument)
    {
        // On a resource name a command runs once per replica; the dashboard runs it on the replica clicked.
        var replica = (await host.App.InstancesAsync("api", Cancellation)).First();
        return await host.App.ResourceCommands.ExecuteCommandAsync(replica.ResourceId, command, new InteractionInputCollection([argument]), Cancellation);
    }

    private async Task SignUpAsync(string email, string key)
    {
        using var client = host.CreateApiClient();
        using var signup = await client.PostAsJsonAsync("/auth/signup", new { email, password = ApiUsers.Password, name = "First", accessToken = key }, Cancellation);
        var body = await signup.Content.ReadAsStringAsync(Cancellation);
        Assert.True(signup.StatusCode == HttpStatusCode.OK, $"signup with {key}: {(int)signup.StatusCode} {body}");
        Assert.NotNull(JsonNode.Parse(body)?["uid"]);
    }

    /// <summary>
    /// The API's command line as a developer runs it (<c>dotnet run --project AuthApp.Api -- ...</c> runs this same
    /// program), in Development, with the AppHost's settings file, or with none and no Firebase settings at all.
    /// </summary>
    private static async Task<CommandLineRun> RunCommandLineAsync(string[] arguments, string? settingsFile)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ApiAssembly),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(ApiAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Emulators__SettingsFile"] = settingsFile ?? "";
        foreach (var inherited in start.Environment.Keys.Where(name => name.StartsWith("Firebase__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Cancellation);
        var error = process.StandardError.ReadToEndAsync(Cancellation);
        await process.WaitForExitAsync(Cancellation);
        return new CommandLineRun(process.ExitCode, await output, await error);
    }

    private static string ApiAssembly => RepoPaths.BuiltAssembly("AuthApp.Api");

    private sealed record CommandLineRun(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    [GeneratedRegex("AK-[A-Z0-9]{26}")]
    private static partial Regex LicenseKey();

    [GeneratedRegex("Development license key: (?<key>AK-[A-Z0-9]{26})")]
    private static partial Regex DevelopmentKeyLine();
}
