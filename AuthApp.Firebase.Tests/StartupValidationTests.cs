using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Tests;

public sealed class StartupValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Production_refuses_to_start_with_the_auth_emulator()
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:AuthEmulatorHost", "127.0.0.1:9099")),
            environment: Environments.Production);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("must not be used in the Production environment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_to_start_with_the_emulator_variable_set()
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")),
            environment: Environments.Production);

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
    }

    [Fact]
    public async Task Production_refuses_to_start_without_credentials()
    {
        using var host = FirebaseTestHost.Build(
            new Dictionary<string, string?> { ["Firebase:ApiKey"] = "key" },
            environment: Environments.Production);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("Firebase:CredentialsFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_starts_with_the_auth_emulator()
    {
        using var host = FirebaseTestHost.Build(new Dictionary<string, string?> { ["Firebase:AuthEmulatorHost"] = "127.0.0.1:9099" });

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);
    }

    [Fact]
    public async Task Production_starts_with_credentials_and_an_api_key()
    {
        using var host = FirebaseTestHost.Build(FirebaseTestHost.ProductionLike(), environment: Environments.Production);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);
    }
}
