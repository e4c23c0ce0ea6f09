using AuthApp.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(AppHostFixture))]
