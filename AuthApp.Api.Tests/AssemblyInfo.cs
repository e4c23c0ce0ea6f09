using AuthApp.Api.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(ApiDependencies))]
