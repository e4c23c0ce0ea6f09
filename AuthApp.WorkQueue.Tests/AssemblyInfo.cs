using AuthApp.WorkQueue.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(RedisServerFixture))]
