using AuthApp.Testing;

[assembly: AssemblyFixture(typeof(AuthEmulatorFixture))]
