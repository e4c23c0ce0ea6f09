using System.Diagnostics;

namespace AuthApp.Tests.Chaos;

/// <summary>
/// The chaos bench (<c>bench/Chaos</c>, see bench/README.md#chaos) for 60 s with a fixed seed: its own system of
/// processes (two API replicas, two workers, Redis, the database emulator; the Auth emulator test.sh shares), a
/// dozen tenants, one fault from the seed's timeline, and its checker, which must pass. The bench runs as a process
/// of its own, as from the command line, in this run's configuration.
/// Explicit: it costs about two minutes of both cores (bench/README.md#chaos has the measurements), which would nearly
/// double <c>./test.sh</c> and load the AppHost's tests running beside it; run it with
/// <c>dotnet test --project AuthApp.Tests -- --filter-class AuthApp.Tests.Chaos.ChaosRunTests --explicit only</c>.
/// </summary>
public sealed class ChaosRunTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);

    [Fact(Explicit = true)]
    public async Task A_60_second_chaos_run_with_a_fixed_seed_keeps_every_invariant()
    {
        var history = Path.Combine(Path.GetTempPath(), $"authapp-chaos-test-{Guid.NewGuid():N}.jsonl");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { RepoPaths.BuiltAssembly("bench/Chaos", "AuthApp.Bench.Chaos"), "--duration", "60s", "--seed", "7", "--tenants", "12", "--history", history },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(RunTimeout, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        Assert.True(process.ExitCode == 0, $"The chaos run failed ({process.ExitCode}):\n{await output}\n{await errors}");
        File.Delete(history);
    }
}
