using AuthApp.DatabaseEmulator;
using AuthApp.DatabaseEmulator.Rules;

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
