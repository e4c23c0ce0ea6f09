using System.Net;
using AuthApp.DatabaseEmulator;
using Microsoft.Extensions.DependencyInjection;

namespace AuthApp.Firebase.Tests.Database;

/// <summary>How the emulator is hosted: port selection and failure containment.</summary>
public sealed class DatabaseEmulatorHostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_PORT_variable_selects_the_port_when_no_urls_are_given()
    {
        var port = LoopbackPorts.Free(); // what PORT is about: a number chosen before the start
        await using var app = DatabaseEmulatorApp.Build([$"--PORT={port}", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync(Ct);
        using var http = new HttpClient();

        var health = await http.GetAsync($"http://127.0.0.1:{port}{DatabaseEmulatorApp.HealthPath}", Ct);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await app.StopAsync(Ct);
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_with_a_generic_message_and_no_stack_trace()
    {
        await using var app = DatabaseEmulatorApp.Build(
            ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=None"],
            builder => builder.Services.AddSingleton<TimeProvider>(new BrokenClock()));
        await app.StartAsync(Ct);
        using var http = new HttpClient();

        var response = await http.PutAsync($"{app.Urls.First()}/x.json", new StringContent("1"), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("""{"error":"Internal error."}""", body);
        await app.StopAsync(Ct);
    }

    private sealed class BrokenClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => throw new InvalidOperationException("clock is broken: secret internals");
    }
}
