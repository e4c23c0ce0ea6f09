using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests.Infrastructure;

/// <summary>Builds a generic host per consumer (or producer), as a replica would run, with tiny timings.</summary>
public static class QueueHost
{
    public static string NewStreamName() => $"test:{Guid.NewGuid():N}";

    public static IHost Build(
        IRedisTarget redis,
        string stream,
        JobRecorder recorder,
        bool consumer = true,
        Action<IServiceCollection>? handlers = null,
        IDictionary<string, string?>? settings = null,
        TimeSpan? shutdownTimeout = null,
        IConnectionMultiplexer? connection = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["WorkQueue:StreamName"] = stream,
            ["WorkQueue:PollInterval"] = "00:00:00.050",
            ["WorkQueue:RetryBaseDelay"] = "00:00:00.100",
            ["WorkQueue:RetryMaxDelay"] = "00:00:01",
            ["WorkQueue:DelayedPollInterval"] = "00:00:00.050",
            ["WorkQueue:ClaimMinIdleTime"] = "00:00:01",
            ["WorkQueue:ClaimInterval"] = "00:00:00.200",
            ["WorkQueue:MaxAttempts"] = "3",
            ["WorkQueue:MetricsRefreshInterval"] = "00:00:00.500",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(connection ?? redis.Connection);
        builder.Services.AddLogging(logging => logging.AddFakeLogging());
        builder.Services.AddSingleton(recorder);
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(5));
        if (consumer)
        {
            builder.AddWorkQueueConsumer();
            if (handlers is null)
            {
                TestJobs.AddAll(builder.Services);
            }
            else
            {
                handlers(builder.Services);
            }
        }
        else
        {
            builder.AddWorkQueue();
        }
        return builder.Build();
    }

    public static async Task<IHost> StartAsync(
        IRedisTarget redis,
        string stream,
        JobRecorder recorder,
        bool consumer = true,
        Action<IServiceCollection>? handlers = null,
        IDictionary<string, string?>? settings = null,
        TimeSpan? shutdownTimeout = null,
        IConnectionMultiplexer? connection = null)
    {
        var host = Build(redis, stream, recorder, consumer, handlers, settings, shutdownTimeout, connection);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }
}
