using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Rules.Access;

/// <summary>One location a request writes, with its value already normalized (server values resolved; null deletes).</summary>
internal readonly record struct PendingWrite(string[] Path, JsonNode? Value);

/// <summary>
/// The tree as it would be after a request's writes (<c>newData</c>), without copying or touching the
/// stored tree: the writes lie over it and a location is resolved through both. A multi-path update is
/// one set of writes, so every rule sees the whole update. Resolution follows <see cref="Tree.JsonTree.SetAt"/>:
/// a write below a leaf replaces the leaf with an object; deleting below a leaf leaves it alone.
/// </summary>
internal sealed class PendingWrites : ITreeView
{
    private readonly Overlay _overlay = new();

    public PendingWrites(JsonNode? storedRoot, IReadOnlyList<PendingWrite> writes)
    {
        StoredRoot = storedRoot;
        Writes = writes;
        foreach (var write in writes)
        {
            var node = _overlay;
            foreach (var segment in write.Path)
            {
                node.Children ??= new Dictionary<string, Overlay>(StringComparer.Ordinal);
                if (!node.Children.TryGetValue(segment, out var child))
                {
                    node.Children[segment] = child = new Overlay();
                }

                node = child;
            }

            node.Replaced = true;
            node.Value = write.Value;
        }
    }

    public JsonNode? StoredRoot { get; }

    public IReadOnlyList<PendingWrite> Writes { get; }

    public TreePlace Root => _overlay.Replaced ? new TreePlace(_overlay.Value, null) : new TreePlace(StoredRoot, _overlay);

    public TreePlace Step(TreePlace from, string key)
    {
        var stored = from.Node is JsonObject obj && obj.TryGetPropertyValue(key, out var child) ? child : null;
        var overlay = (from.PendingBelow as Overlay)?.Children?.GetValueOrDefault(key);
        return overlay is { Replaced: true } ? new TreePlace(overlay.Value, null) : new TreePlace(stored, overlay);
    }

    public NodeShape Shape(TreePlace at) => at.PendingBelow is Overlay overlay ? Merge(at.Node, overlay) : NodeShape.Of(at.Node);

    /// <summary>A stored node with writes somewhere below it.</summary>
    private static NodeShape Merge(JsonNode? stored, Overlay overlay)
    {
        foreach (var (key, below) in overlay.Children!)
        {
            var storedChild = stored is JsonObject obj && obj.TryGetPropertyValue(key, out var child) ? child : null;
            var shape = below.Replaced ? NodeShape.Of(below.Value) : Merge(storedChild, below);
            if (shape.Exists)
            {
                return new NodeShape(null, true);
            }
        }

        // Every write below deletes: what is left is the stored node without the deleted children.
        if (stored is JsonObject storedObject)
        {
            foreach (var (key, _) in storedObject)
            {
                if (!overlay.Children!.ContainsKey(key))
                {
                    return new NodeShape(null, true);
                }
            }

            return default;
        }

        return NodeShape.Of(stored);
    }

    private sealed class Overlay
    {
        public bool Replaced { get; set; }

        public JsonNode? Value { get; set; }

        public Dictionary<string, Overlay>? Children { get; set; }
    }
}
