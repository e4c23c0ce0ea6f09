using AuthApp.Api.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(ApiDependencies))]
[assembly: AssemblyFixture(typeof(RedisClusterFixture))]
