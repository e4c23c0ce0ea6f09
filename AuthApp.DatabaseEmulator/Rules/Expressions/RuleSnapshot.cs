using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>What a location holds, as far as the rules can tell: a leaf value, children, or nothing.</summary>
internal readonly record struct NodeShape(JsonValue? Leaf, bool HasChildren)
{
    public bool Exists => Leaf is not null || HasChildren;

    public static NodeShape Of(JsonNode? node) => node switch
    {
        JsonObject => new NodeShape(null, true),
        JsonValue leaf => new NodeShape(leaf, false),
        _ => default,
    };
}

/// <summary>
/// A place in a tree view, found by stepping down from the root: the stored node there, and (for the data after a
/// write) the writes still pending below it. Stepping on from a place is how <c>child()</c> avoids walking from the root.
/// </summary>
internal readonly record struct TreePlace(JsonNode? Node, object? PendingBelow);

/// <summary>A database tree the rules look at: the data before the operation, or as it would be after it.</summary>
internal interface ITreeView
{
    TreePlace Root { get; }

    TreePlace Step(TreePlace from, string key);

    NodeShape Shape(TreePlace at);
}

/// <summary>The stored tree as it is (<c>root</c>, <c>data</c>).</summary>
internal sealed class StoredTree(JsonNode? root) : ITreeView
{
    public JsonNode? StoredRoot { get; } = root;

    public TreePlace Root => new(StoredRoot, null);

    public TreePlace Step(TreePlace from, string key) =>
        new(from.Node is JsonObject obj && obj.TryGetPropertyValue(key, out var child) ? child : null, null);

    public NodeShape Shape(TreePlace at) => NodeShape.Of(at.Node);
}

internal static class TreeViews
{
    public static TreePlace Locate(this ITreeView tree, ReadOnlySpan<string> path)
    {
        var place = tree.Root;
        foreach (var segment in path)
        {
            place = tree.Step(place, segment);
        }

        return place;
    }

    public static NodeShape Resolve(this ITreeView tree, ReadOnlySpan<string> path) => tree.Shape(tree.Locate(path));
}

/// <summary>
/// A RuleDataSnapshot: a location in a tree view. The data is looked up once, when a method first asks for it;
/// <c>child()</c> steps on from there and <c>parent()</c> shortens the path.
/// </summary>
internal sealed class RuleSnapshot
{
    private readonly ITreeView _tree;
    private readonly string[] _segments;
    private readonly int _length;
    private TreePlace? _place;
    private NodeShape? _shape;

    public RuleSnapshot(ITreeView tree, string[] segments, int length, TreePlace? place = null)
    {
        _tree = tree;
        _segments = segments;
        _length = length;
        _place = place;
    }

    private TreePlace Place => _place ??= _tree.Locate(_segments.AsSpan(0, _length));

    private NodeShape Shape => _shape ??= _tree.Shape(Place);

    public RuleValue Val()
    {
        var shape = Shape;
        if (shape.HasChildren)
        {
            return RuleValue.ObjectSentinel;
        }

        return shape.Leaf is { } leaf ? ValueOf(leaf) : RuleValue.Null;
    }

    public bool Exists() => Shape.Exists;

    public bool HasChildren() => Shape.HasChildren;

    public bool IsString() => LeafKind == JsonValueKind.String;

    public bool IsNumber() => LeafKind == JsonValueKind.Number;

    public bool IsBoolean() => LeafKind is JsonValueKind.True or JsonValueKind.False;

    private JsonValueKind LeafKind => Shape.Leaf?.GetValueKind() ?? JsonValueKind.Undefined;

    /// <summary><c>child('a/b')</c>: a relative path of one or more keys; an invalid key is an error.</summary>
    public RuleValue Child(string relativePath) =>
        SplitPath(relativePath, out var parts) is { } error ? RuleValue.Error(error) : RuleValue.From(Child(parts));

    /// <summary>A child at a path already split and checked (a literal path, checked when the rules compiled).</summary>
    public RuleSnapshot Child(string[] parts)
    {
        var place = Place;
        foreach (var part in parts)
        {
            place = _tree.Step(place, part);
        }

        var path = new string[_length + parts.Length];
        Array.Copy(_segments, path, _length);
        parts.CopyTo(path, _length);
        return new RuleSnapshot(_tree, path, path.Length, place);
    }

    /// <summary>Splits a relative child path into keys; returns why it is not one, or null.</summary>
    public static string? SplitPath(string relativePath, out string[] parts)
    {
        parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return "a child path needs at least one key";
        }

        foreach (var part in parts)
        {
            if (!Keys.IsValid(part))
            {
                return $"a child path has an invalid key '{part}'";
            }
        }

        return null;
    }

    /// <summary>The docs: the root has no parent, and asking for it fails the rule.</summary>
    public RuleValue Parent() => _length == 0
        ? RuleValue.Error("parent() of the root")
        : RuleValue.From(new RuleSnapshot(_tree, _segments, _length - 1));

    private static RuleValue ValueOf(JsonValue leaf) => leaf.GetValueKind() switch
    {
        JsonValueKind.String => RuleValue.From(leaf.GetValue<string>()),
        JsonValueKind.Number => RuleValue.From(JsonTree.AsDouble(leaf)),
        JsonValueKind.True => RuleValue.True,
        JsonValueKind.False => RuleValue.False,
        _ => RuleValue.Null,
    };
}
