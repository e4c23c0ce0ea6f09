using AuthApp.DatabaseEmulator.Rules;

namespace AuthApp.DatabaseEmulator;

/// <summary>
/// The emulator's entry point (<c>dotnet run --project AuthApp.DatabaseEmulator</c>, or the AppHost's
/// <c>firebase-database</c> resource). A class in the emulator's namespace rather than top-level statements: those
/// would declare a global <c>Program</c>, and the test projects, which load the emulator in-process beside the API,
/// could then not name the API's <c>Program</c> for <c>WebApplicationFactory&lt;Program&gt;</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = DatabaseEmulatorApp.Build(args);
        }
        catch (RulesException ex)
        {
            // A rules file that does not compile: say where, and do not start (no stack trace, exit code 1).
            Console.Error.WriteLine($"The Realtime Database emulator did not start: the rules do not compile.{Environment.NewLine}{ex.Message}");
            return 1;
        }

        await using (app)
        {
            await app.RunAsync();
        }

        return 0;
    }
}
