using AuthApp.Scheduler.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RedisServerFixture))]
[assembly: AssemblyFixture(typeof(RedisClusterFixture))]
[assembly: AssemblyFixture(typeof(DatabaseEmulatorFixture))]
[assembly: AssemblyFixture(typeof(AuthEmulatorFixture))]
