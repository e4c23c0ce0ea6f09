using AuthApp.Testing;
using Microsoft.Extensions.Time.Testing;

[assembly: AssemblyFixture(typeof(AuthApp.DatabaseEmulator.Tests.Infrastructure.EmulatorFixture))]

namespace AuthApp.DatabaseEmulator.Tests.Infrastructure;

/// <summary>
/// The shared database fixture (<see cref="DatabaseEmulatorFixture"/>) on a fixed clock, so that tokens are issued
/// and expire at known times. Each test gets its own namespace and loads its rules into it as the official emulator
/// takes them: <c>PUT /.settings/rules.json?ns=</c> with <c>Authorization: Bearer owner</c>.
/// </summary>
public sealed class EmulatorFixture() : DatabaseEmulatorFixture(new FakeTimeProvider(Start))
{
    /// <summary>The in-process emulator's time (tokens are issued and expire against it).</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh namespace judged by <paramref name="rules"/> (a rules document's text).</summary>
    public async Task<RulesDatabase> NewDatabaseAsync(string rules)
    {
        var database = new RulesDatabase(Http, $"rules-{Guid.NewGuid():N}"[..24], Clock);
        await database.SetRulesAsync(rules);
        return database;
    }
}
