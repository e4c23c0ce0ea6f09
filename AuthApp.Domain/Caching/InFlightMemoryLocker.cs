using Microsoft.Extensions.Logging;
using ZiggyCreatures.Caching.Fusion.Locking;

namespace AuthApp.Domain.Caching;

/// <summary>
/// FusionCache's per-key lock (one factory per key at a time: a miss for a user is read once, whatever the number of
/// concurrent requests), holding a semaphore only while some caller holds or waits for it. The library's standard
/// locker keeps a semaphore per key in a memory cache with a 5-minute sliding expiration, which no size limit bounds:
/// a flood of distinct users left hundreds of bytes per user behind for five minutes. Here the table holds the keys
/// being read right now, and nothing else.
/// </summary>
internal sealed class InFlightMemoryLocker : IFusionCacheMemoryLocker
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>How many keys have a gate now (held or awaited).</summary>
    internal int Count
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    // The timeout is FusionCache's LockTimeout, Timeout.InfiniteTimeSpan unless set, passed as the standard locker does.
    public async ValueTask<object?> AcquireLockAsync(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var gate = Enter(key);
        try
        {
            return await gate.Semaphore.WaitAsync(timeout, token).ConfigureAwait(false) ? gate : Leave(gate);
        }
        catch
        {
            Leave(gate);
            throw;
        }
    }

    public object? AcquireLock(string cacheName, string cacheInstanceId, string operationId, string key, TimeSpan timeout, ILogger? logger, CancellationToken token)
    {
        var gate = Enter(key);
        try
        {
            return gate.Semaphore.Wait(timeout, token) ? gate : Leave(gate);
        }
        catch
        {
            Leave(gate);
            throw;
        }
    }

    public void ReleaseLock(string cacheName, string cacheInstanceId, string operationId, string key, object? lockObj, ILogger? logger)
    {
        if (lockObj is Gate gate)
        {
            gate.Semaphore.Release();
            Leave(gate);
        }
    }

    public void Dispose()
    {
    }

    private Gate Enter(string key)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(key, out var gate))
            {
                gate = new Gate(key);
                _gates.Add(key, gate);
            }

            gate.Users++;
            return gate;
        }
    }

    /// <summary>One holder or waiter fewer; the last one out removes the gate. Returns null (no lock) for the callers above.</summary>
    private object? Leave(Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(gate.Key);
            }
        }

        return null;
    }

    private sealed class Gate(string key)
    {
        public string Key { get; } = key;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>Holders and waiters; guarded by the table's lock.</summary>
        public int Users { get; set; }
    }
}
