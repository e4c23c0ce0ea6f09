using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Scheduler.Tests.Infrastructure;

/// <summary>
/// One replica's view of the database in a test: records the paths it reads and the updates it writes, and runs a
/// hook before each, to fail it (throw) or stall it (await a <see cref="Stall"/>).
/// </summary>
public sealed class DatabaseProbe(IFirebaseDatabase inner) : IFirebaseDatabase
{
    public ConcurrentQueue<string> Reads { get; } = new();

    /// <summary>Every multi-path update that went through, as full paths.</summary>
    public ConcurrentQueue<IReadOnlyList<string>> Updates { get; } = new();

    /// <summary>Before every read, with its path.</summary>
    public Func<string, Task>? BeforeRead { get; set; }

    /// <summary>After a read's answer arrived and before the caller gets it, with its path.</summary>
    public Func<string, Task>? AfterRead { get; set; }

    /// <summary>Before every multi-path update, with the full paths it writes.</summary>
    public Func<IReadOnlyList<string>, Task>? BeforeUpdate { get; set; }

    public async Task<JsonNode?> GetAsync(string path, DatabaseQuery? query = null, CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path);
        var value = await inner.GetAsync(path, query, cancellationToken);
        if (AfterRead is { } hook)
        {
            await hook(path);
        }

        return value;
    }

    public async Task<JsonNode?> GetShallowAsync(string path, CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path + "?shallow");
        return await inner.GetShallowAsync(path, cancellationToken);
    }

    public async Task<JsonNode?> GetAsync(string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path);
        var value = await inner.GetAsync(path, query, maxBytes, cancellationToken);
        if (AfterRead is { } hook)
        {
            await hook(path);
        }

        return value;
    }

    public async Task<JsonNode?> GetShallowAsync(string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path + "?shallow");
        return await inner.GetShallowAsync(path, maxBytes, cancellationToken);
    }

    public async IAsyncEnumerable<DatabaseChild> GetChildrenAsync(string path, DatabaseQuery? query, int maxChildBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path);
        await foreach (var child in inner.GetChildrenAsync(path, query, maxChildBytes, cancellationToken))
        {
            yield return child;
        }

        // After the last child: the stream as a whole has been read, as a buffered read has when it returns.
        if (AfterRead is { } hook)
        {
            await hook(path);
        }
    }

    public async IAsyncEnumerable<string> GetChildKeysStreamAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path + "?shallow");
        await foreach (var key in inner.GetChildKeysStreamAsync(path, cancellationToken))
        {
            yield return key;
        }
    }

    public IAsyncEnumerable<DatabaseStreamEvent> ListenAsync(string path, int maxEventBytes, CancellationToken cancellationToken = default) =>
        inner.ListenAsync(path, maxEventBytes, cancellationToken);

    public async Task<DatabaseETagged> GetWithETagAsync(string path, CancellationToken cancellationToken = default)
    {
        await ReadingAsync(path);
        return await inner.GetWithETagAsync(path, cancellationToken);
    }

    public async Task UpdateAsync(string path, IReadOnlyDictionary<string, JsonNode?> updates, CancellationToken cancellationToken = default)
    {
        var paths = updates.Keys.Select(key => string.IsNullOrEmpty(path) ? key : $"{path}/{key}").ToList();
        if (BeforeUpdate is { } hook)
        {
            await hook(paths);
        }

        await inner.UpdateAsync(path, updates, cancellationToken);
        Updates.Enqueue(paths);
    }

    public Task SetAsync(string path, JsonNode? value, CancellationToken cancellationToken = default) => inner.SetAsync(path, value, cancellationToken);

    public Task<ConditionalWriteResult> SetIfMatchAsync(string path, JsonNode? value, string etag, CancellationToken cancellationToken = default) =>
        inner.SetIfMatchAsync(path, value, etag, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken = default) => inner.DeleteAsync(path, cancellationToken);

    public Task<ConditionalWriteResult> DeleteIfMatchAsync(string path, string etag, CancellationToken cancellationToken = default) =>
        inner.DeleteIfMatchAsync(path, etag, cancellationToken);

    public Task<JsonNode?> TransactAsync(string path, Func<JsonNode?, JsonNode?> update, int maxAttempts = 25, CancellationToken cancellationToken = default) =>
        inner.TransactAsync(path, update, maxAttempts, cancellationToken);

    private async Task ReadingAsync(string path)
    {
        Reads.Enqueue(path);
        if (BeforeRead is { } hook)
        {
            await hook(path);
        }
    }
}

/// <summary>Holds whoever reaches it until released: a replica frozen (or killed) at one point of its work.</summary>
public sealed class Stall
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first caller reached the stall.</summary>
    public Task Reached => _reached.Task;

    public Task HoldAsync()
    {
        _reached.TrySetResult();
        return _released.Task;
    }

    public void Release() => _released.TrySetResult();
}
