using AuthApp.Firebase.Tests.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AuthApp.Firebase.Tests;

public sealed class StartupValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> NotDevelopment => new() { Environments.Production, Environments.Staging, "Test" };

    [Theory]
    [MemberData(nameof(NotDevelopment))]
    public async Task Only_development_starts_with_the_auth_emulator(string environment)
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:AuthEmulatorHost", "127.0.0.1:9099")),
            environment: environment);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("may only be used in the Development environment", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotDevelopment))]
    public async Task Only_development_starts_with_the_emulator_variable_set(string environment)
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9099")),
            environment: environment);

        await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(NotDevelopment))]
    public async Task Unsigned_emulator_tokens_are_refused_outside_development(string environment)
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:AcceptEmulatorTokens", "true")),
            environment: environment);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("AcceptEmulatorTokens", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.0.0.5:9099")]
    [InlineData("auth.example.com:9099")]
    public async Task Unsigned_emulator_tokens_need_an_auth_emulator_on_loopback(string? emulatorHost)
    {
        using var host = FirebaseTestHost.Build(new Dictionary<string, string?>
        {
            ["Firebase:AcceptEmulatorTokens"] = "true",
            ["Firebase:AuthEmulatorHost"] = emulatorHost,
            ["Firebase:DatabaseEmulatorHost"] = "127.0.0.1:9000",
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("on loopback", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotDevelopment))]
    public async Task A_local_signing_key_endpoint_is_refused_outside_development(string environment)
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:IdTokenMetadataAddress", "http://127.0.0.1:8080/.well-known/openid-configuration")),
            environment: environment);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("IdTokenMetadataAddress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signing_key_endpoint_over_plain_http_must_be_on_loopback()
    {
        using var host = FirebaseTestHost.Build(
            FirebaseTestHost.ProductionLike(("Firebase:IdTokenMetadataAddress", "http://keys.example.com/.well-known/openid-configuration")));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Ct));

        Assert.Contains("https URL, or http on loopback", error.Message, StringComparison.Ordinal);
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
    public async Task Development_starts_with_the_auth_emulator_and_its_unsigned_tokens()
    {
        using var host = FirebaseTestHost.Build(new Dictionary<string, string?>
        {
            ["Firebase:AuthEmulatorHost"] = "127.0.0.1:9099",
            ["Firebase:AcceptEmulatorTokens"] = "true",
        });

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task A_real_project_starts_with_credentials_and_an_api_key(string environment)
    {
        using var host = FirebaseTestHost.Build(FirebaseTestHost.ProductionLike(), environment: environment);

        await host.StartAsync(Ct);
        await host.StopAsync(Ct);
    }
}
