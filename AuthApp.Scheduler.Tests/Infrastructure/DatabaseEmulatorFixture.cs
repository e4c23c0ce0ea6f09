using AuthApp.DatabaseEmulator;
using Microsoft.AspNetCore.Builder;

namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>The project's Realtime Database emulator in-process on a free port; tests isolate themselves by namespace.</summary>
public sealed class DatabaseEmulatorFixture : IAsyncLifetime
{
    private WebApplication? _app;

    public string Host { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        _app = DatabaseEmulatorApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
        await _app.StartAsync();
        Host = new Uri(_app.Urls.First()).Authority;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
