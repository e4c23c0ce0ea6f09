using System.Globalization;
using AuthApp.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AuthApp.ServiceDefaults.Readiness;

/// <summary>
/// Lets the replicas of a service compare what they see of each observed dependency, so that readiness can tell
/// "this replica cannot reach it" from "nobody can". Every <see cref="ReadinessOptions.PeerExchangeInterval"/>
/// each replica writes its own view into a Redis hash (<c>authapp:readiness:{service}:{dependency}</c>, one
/// field per replica) and reads the others'. The probe itself only reads the result from memory. Without a
/// Redis connection in the container (a service that uses none) the peers stay unknown, which readiness treats
/// as "nobody else reaches it".
/// </summary>
internal sealed partial class PeerHealthExchange(
    IEnumerable<ObservedDependency> dependencies,
    ServiceInstance instance,
    IServiceProvider services,
    IOptions<ReadinessOptions> options,
    TimeProvider clock,
    ILogger<PeerHealthExchange> logger) : BackgroundService
{
    // Unexpected failures already logged as a Warning, by dependency and type (touched by the one loop only).
    private readonly HashSet<(string Dependency, Type Type)> _warned = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IConnectionMultiplexer>() is not { } redis)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PeerExchangeInterval, clock);
        do
        {
            foreach (var dependency in dependencies)
            {
                try
                {
                    dependency.Peers = await ExchangeAsync(redis.GetDatabase(), dependency);
                }
                catch (Exception exception) when (exception.IsRedisOutage())
                {
                    // Redis readiness reports this on its own; the peers' view just ages.
                    LogExchangeFailed(logger, dependency.Name, exception.GetType().Name);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Not an outage (a bug, a command a Redis Cluster refuses): a BackgroundService that throws stops
                    // the host, and one that returns leaves readiness on a view that only ages. Warn once per cause,
                    // then try again at the next tick.
                    if (_warned.Add((dependency.Name, exception.GetType())))
                    {
                        LogExchangeFailedUnexpectedly(logger, dependency.Name, exception.GetType().Name, exception);
                    }
                    else
                    {
                        LogExchangeFailed(logger, dependency.Name, exception.GetType().Name);
                    }
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<PeerView> ExchangeAsync(IDatabase redis, ObservedDependency dependency)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var key = new RedisKey($"authapp:readiness:{instance.ServiceName}:{dependency.Name}");
        var failing = dependency.IsFailing(settings.FailuresInARow, settings.FailureMemory);
        await redis.HashSetAsync(key, instance.Id, Encode(now, dependency.LastSuccess, failing));
        await redis.KeyExpireAsync(key, settings.PeerEvidenceWindow * 2);

        int reaching = 0, live = 0;
        var liveWindow = settings.PeerExchangeInterval * 3;
        foreach (var entry in await redis.HashGetAllAsync(key))
        {
            if (entry.Name == instance.Id || !TryDecode(entry.Value, out var reportedAt, out var lastSuccess, out var peerFailing))
            {
                continue;
            }

            if (now - reportedAt > settings.PeerEvidenceWindow)
            {
                // A replica that stopped reporting long ago (stopped, scaled in): forget it.
                await redis.HashDeleteAsync(key, entry.Name);
                continue;
            }

            if (now - reportedAt <= liveWindow)
            {
                live++;
                if (!peerFailing && now - lastSuccess <= settings.PeerEvidenceWindow)
                {
                    reaching++;
                }
            }
        }

        return new PeerView(reaching, live, now);
    }

    // "reportedAtMs|lastSuccessMs|0 or 1": small, and readable with redis-cli.
    private static string Encode(DateTimeOffset reportedAt, DateTimeOffset lastSuccess, bool failing) => string.Create(
        CultureInfo.InvariantCulture, $"{reportedAt.ToUnixTimeMilliseconds()}|{(lastSuccess == default ? 0 : lastSuccess.ToUnixTimeMilliseconds())}|{(failing ? 1 : 0)}");

    private static bool TryDecode(RedisValue value, out DateTimeOffset reportedAt, out DateTimeOffset lastSuccess, out bool failing)
    {
        reportedAt = lastSuccess = default;
        failing = false;
        var parts = ((string?)value ?? "").Split('|');
        if (parts.Length != 3
            || !long.TryParse(parts[0], CultureInfo.InvariantCulture, out var reportedMs)
            || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var successMs))
        {
            return false;
        }

        reportedAt = DateTimeOffset.FromUnixTimeMilliseconds(reportedMs);
        lastSuccess = successMs == 0 ? DateTimeOffset.MinValue : DateTimeOffset.FromUnixTimeMilliseconds(successMs);
        failing = parts[2] == "1";
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Exchanging {Dependency} readiness with the other replicas failed unexpectedly ({Error}); trying again at each tick, repeats at Debug.")]
    private static partial void LogExchangeFailedUnexpectedly(ILogger logger, string dependency, string error, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not exchange {Dependency} readiness with the other replicas ({Error}).")]
    private static partial void LogExchangeFailed(ILogger logger, string dependency, string error);
}
