using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static AuthApp.Testing.ProblemResponses;

namespace AuthApp.Api.Tests.Security;

/// <summary>What each environment accepts at start-up: unsigned tokens only in Development, by explicit opt-in, for a loopback emulator.</summary>
public sealed class EnvironmentConfigurationTests(ApiDependencies dependencies)
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// The validation error that stops the API starting. The in-process host now and then reports the disposal its
    /// failed start caused instead of the failure itself; that is the harness, so the start is tried again.
    /// </summary>
    private static OptionsValidationException StartFailure(Func<ApiFactory> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var api = create();
            var error = Record.Exception(() => api.Server);
            if (error is not ObjectDisposedException || attempt == 5)
            {
                return Assert.IsType<OptionsValidationException>(error);
            }
        }
    }

    public static TheoryData<string> OtherEnvironments => new() { "Staging", "Production", "Test" };

    [Theory]
    [MemberData(nameof(OtherEnvironments))]
    public void Outside_development_the_api_refuses_to_start_with_emulators(string environment)
    {
        var error = StartFailure(() => new ApiFactory(dependencies, environment, new Dictionary<string, string?> { ["Firebase:AcceptEmulatorTokens"] = "false" }));

        Assert.Contains("may only be used in the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(OtherEnvironments))]
    public void Outside_development_the_api_refuses_to_start_with_unsigned_tokens_accepted(string environment)
    {
        var error = StartFailure(() => new ApiFactory(dependencies, environment, new Dictionary<string, string?>
        {
            ["Firebase:AuthEmulatorHost"] = null,
            ["Firebase:DatabaseEmulatorHost"] = null,
            ["Firebase:ApiKey"] = "an-api-key",
            ["Firebase:CredentialsFile"] = "/nonexistent/never-read.json",
            ["Firebase:Messaging"] = "Log",
        }));

        Assert.Contains("AcceptEmulatorTokens", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Development_refuses_unsigned_tokens_for_an_emulator_that_is_not_on_loopback()
    {
        var error = StartFailure(() => new ApiFactory(dependencies, settings: new Dictionary<string, string?> { ["Firebase:AuthEmulatorHost"] = "10.1.2.3:9099" }));

        Assert.Contains("on loopback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_without_the_opt_in_refuses_the_emulators_unsigned_tokens()
    {
        await using var emulatorTokens = new ApiFactory(dependencies);
        using var user = await emulatorTokens.SignUpAsync();
        await using var api = new ApiFactory(dependencies, settings: new Dictionary<string, string?> { ["Firebase:AcceptEmulatorTokens"] = "false" });
        using var client = api.CreateClient(user.IdToken);

        using var response = await client.GetAsync("/auth/profile", Cancellation);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Accepting_unsigned_tokens_is_announced_with_a_warning()
    {
        await using var api = new ApiFactory(dependencies);

        using var client = api.CreateClient();
        (await client.GetAsync("/alive", Cancellation)).EnsureSuccessStatusCode();

        Assert.Contains(api.Logs.AtLeast(LogLevel.Warning), log => log.Message.Contains("UNSIGNED ID TOKENS ARE ACCEPTED", StringComparison.Ordinal));
    }
}
