using AuthApp.Scheduling.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RedisServerFixture))]
[assembly: AssemblyFixture(typeof(DatabaseEmulatorFixture))]
