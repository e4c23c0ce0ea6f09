using AuthApp.Testing;

[assembly: AssemblyFixture(typeof(RedisServerFixture))]
