using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>One database namespace (<c>?ns=</c>): a tree behind its own lock, so requests on it are serialized.</summary>
internal sealed class DatabaseNamespace(string name)
{
    public string Name { get; } = name;

    public Lock Sync { get; } = new();

    /// <summary>The root; only touched while <see cref="Sync"/> is held.</summary>
    public JsonNode? Root { get; set; }
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
