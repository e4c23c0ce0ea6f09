using System.Reflection;
using System.Runtime.ExceptionServices;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Tests.Infrastructure;

/// <summary>
/// A real connection whose databases throw, for the calls <c>fault</c> picks by method name, the exception it returns
/// (e.g. a <see cref="RedisCommandException"/>, which no Redis outage produces): what a bug or a command a cluster
/// refuses looks like to the queue. Everything else goes to real Redis. A proxy, because the interfaces are large.
/// </summary>
public class FaultyConnection : DispatchProxy
{
    private object _inner = null!;
    private Func<string, Exception?> _fault = null!;

    public static IConnectionMultiplexer Wrap(IConnectionMultiplexer inner, Func<string, Exception?> fault) =>
        Create<IConnectionMultiplexer>(inner, fault);

    private static T Create<T>(T inner, Func<string, Exception?> fault)
        where T : class
    {
        var proxy = Create<T, FaultyConnection>();
        var faulty = (FaultyConnection)(object)proxy;
        faulty._inner = inner;
        faulty._fault = fault;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (_inner is IDatabase && _fault(method.Name) is { } failure)
        {
            throw failure;
        }

        object? result;
        try
        {
            result = method.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }

        return result is IDatabase database && _inner is IConnectionMultiplexer ? Create(database, _fault) : result;
    }
}
