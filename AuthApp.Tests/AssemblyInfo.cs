using AuthApp.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(AppHostFixture))]
[assembly: TestCollectionOrderer(typeof(ShutdownLast))]
