using StackExchange.Redis;

namespace AuthApp.WorkQueue;

/// <summary>
/// How Redis being away shows up. StackExchange.Redis reports a dead connection as a <see cref="RedisException"/>
/// (<see cref="RedisConnectionException"/>) but a slow one as <see cref="RedisTimeoutException"/>, which derives
/// from <see cref="TimeoutException"/> instead: a <c>catch (RedisException)</c> alone lets every timeout through.
/// </summary>
public static class RedisFailures
{
    public static bool IsRedisFailure(this Exception exception) => exception is RedisException or RedisTimeoutException;
}
