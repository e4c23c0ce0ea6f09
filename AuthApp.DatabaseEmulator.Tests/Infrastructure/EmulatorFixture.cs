using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

[assembly: AssemblyFixture(typeof(AuthApp.DatabaseEmulator.Tests.Infrastructure.EmulatorFixture))]

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>
/// The database the HTTP tests talk to: the official emulator when <c>FIREBASE_DATABASE_EMULATOR_HOST</c> is set,
/// otherwise <c>AuthApp.DatabaseEmulator</c> hosted in-process on a free 127.0.0.1 port, with a fixed clock.
/// Either way each test gets its own namespace and loads its rules into it as the official emulator takes them:
/// <c>PUT /.settings/rules.json?ns=</c> with <c>Authorization: Bearer owner</c>.
/// </summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    /// <summary>The in-process emulator's time (tokens are issued and expire against it).</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private WebApplication? _app;

    /// <summary>host:port of the database under test.</summary>
    public string Host { get; private set; } = "";

    /// <summary>True when the tests run against an emulator this fixture did not start (the official one).</summary>
    public bool IsExternal { get; private set; }

    /// <summary>The emulator's clock: fixed in-process, the real one for an external emulator.</summary>
    public TimeProvider Clock { get; private set; } = TimeProvider.System;

    public HttpClient Http { get; private set; } = new();

    public async ValueTask InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("FIREBASE_DATABASE_EMULATOR_HOST");
        if (!string.IsNullOrWhiteSpace(external))
        {
            (Host, IsExternal) = (external, true);
        }
        else
        {
            var clock = new FakeTimeProvider(Start);
            _app = await StartAsync(clock);
            (Host, Clock) = (HostOf(_app), clock);
        }

        Http = new HttpClient { BaseAddress = new Uri($"http://{Host}") };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>A fresh namespace judged by <paramref name="rules"/> (a rules document's text).</summary>
    public async Task<RulesDatabase> NewDatabaseAsync(string rules)
    {
        var database = new RulesDatabase(Http, $"rules-{Guid.NewGuid():N}"[..24], Clock);
        await database.SetRulesAsync(rules);
        return database;
    }

    /// <summary>An emulator of a test's own (e.g. to move its clock, or to give it a rules file), in-process only.</summary>
    public static async Task<WebApplication> StartAsync(TimeProvider clock, params string[] args)
    {
        var app = DatabaseEmulatorApp.Build(
            ["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. args],
            builder => builder.Services.AddSingleton(clock));
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }

    public static string HostOf(WebApplication app) => new Uri(app.Urls.First()).Authority;
}
