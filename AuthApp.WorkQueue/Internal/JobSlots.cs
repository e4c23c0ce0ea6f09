using System.Collections.Concurrent;
using StackExchange.Redis;

namespace AuthApp.WorkQueue.Internal;

/// <summary>
/// <see cref="WorkQueueOptions.MaxConcurrency"/> slots shared by the reader and the reclaimer: a message is only taken
/// from Redis once a slot is free for it, and holds its slot until its run ends. Runs still in flight are known, so that
/// a stopping consumer can wait for them.
/// </summary>
internal sealed class JobSlots(int capacity)
{
    private readonly SemaphoreSlim _free = new(capacity, capacity);
    private readonly ConcurrentDictionary<string, Task> _running = new();

    /// <summary>Waits up to <paramref name="wait"/> for a slot, then takes every other free one; 0 when none came free.</summary>
    public async Task<int> AcquireAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (!await _free.WaitAsync(wait, cancellationToken))
        {
            return 0;
        }

        var granted = 1;
        while (granted < capacity && _free.Wait(0, CancellationToken.None))
        {
            granted++;
        }

        return granted;
    }

    public void Release(int count = 1) => _free.Release(count);

    /// <summary>Runs <paramref name="process"/> for one message on the thread pool, in a slot already acquired; frees the slot when it ends.</summary>
    public void Start(StreamEntry entry, Func<StreamEntry, Task> process)
    {
        var id = entry.Id.ToString();
        var task = Task.Run(async () =>
        {
            try
            {
                await process(entry);
            }
            finally
            {
                _running.TryRemove(id, out _);
                _free.Release();
            }
        }, CancellationToken.None);
        _running.TryAdd(id, task);
    }

    /// <summary>The runs not yet finished.</summary>
    public Task[] Running() => _running.Values.ToArray();
}
