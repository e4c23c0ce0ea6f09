
[assembly: AssemblyFixture(typeof(RedisServerFixture))]
