using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>One database namespace (<c>?ns=</c>): a tree behind its own lock, so requests on it are serialized.</summary>
internal sealed class DatabaseNamespace(string name)
{
    private readonly List<IChangeListener> _listeners = [];

    public string Name { get; } = name;

    public Lock Sync { get; } = new();

    /// <summary>The root; only touched while <see cref="Sync"/> is held.</summary>
    public JsonNode? Root { get; set; }

    /// <summary>Starts telling <paramref name="listener"/> of every change; called while <see cref="Sync"/> is held.</summary>
    public void Listen(IChangeListener listener) => _listeners.Add(listener);

    /// <summary>Stops telling <paramref name="listener"/>.</summary>
    public void StopListening(IChangeListener listener)
    {
        lock (Sync)
        {
            _listeners.Remove(listener);
        }
    }

    /// <summary>
    /// Tells every listener of the changes a write just made, while <see cref="Sync"/> is still held, so that each one
    /// sees the writes in the order they were made and the tree as it is right after each.
    /// </summary>
    public void Publish(IReadOnlyList<Change> changes)
    {
        for (var i = _listeners.Count - 1; i >= 0; i--)
        {
            if (!_listeners[i].OnChanged(Root, changes))
            {
                _listeners.RemoveAt(i);
            }
        }
    }
}

/// <summary>Something that follows a namespace's writes (a streaming REST request).</summary>
internal interface IChangeListener
{
    /// <summary>Called under the namespace's lock after each write; false to stop listening.</summary>
    bool OnChanged(JsonNode? root, IReadOnlyList<Change> changes);
}

/// <summary>All namespaces; raises <see cref="Changed"/> after every write (persistence listens).</summary>
internal sealed class DatabaseStore
{
    private readonly ConcurrentDictionary<string, DatabaseNamespace> _namespaces = new(StringComparer.Ordinal);

    public event Action? Changed;

    public DatabaseNamespace Get(string name) => _namespaces.GetOrAdd(name, static n => new DatabaseNamespace(n));

    public IReadOnlyCollection<DatabaseNamespace> All => [.. _namespaces.Values];

    public void NotifyChanged() => Changed?.Invoke();
}
