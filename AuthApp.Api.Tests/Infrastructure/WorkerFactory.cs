extern alias Scheduler;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AuthApp.Api.Tests.Infrastructure;

/// <summary>
/// The real scheduler worker in-process, beside an <see cref="ApiFactory"/>: same database namespace, same Redis,
/// so that what the API queues is run as in production. For tests of operations the worker finishes (account
/// deletion); give such a pair a Redis of its own, so that its queue and index are not other tests'.
/// </summary>
public sealed class WorkerFactory(ApiFactory api, string redisConnection) : WebApplicationFactory<Scheduler::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in api.Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("ConnectionStrings:cache", redisConnection);
        builder.UseSetting("Firebase:DatabaseUrl", $"https://{api.Namespace}.firebaseio.com");
    }

    /// <summary>Starts the worker's hosted services (the factory starts the host on first use).</summary>
    public void Start() => _ = Services;
}
