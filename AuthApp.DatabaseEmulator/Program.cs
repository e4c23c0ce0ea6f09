using AuthApp.DatabaseEmulator;

await using var app = DatabaseEmulatorApp.Build(args);
await app.RunAsync();
