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

/// <summary>A database tree the rules look at: the data before the operation, or as it would be after it.</summary>
internal interface ITreeView
{
    NodeShape Resolve(ReadOnlySpan<string> path);
}

/// <summary>The stored tree as it is (<c>root</c>, <c>data</c>).</summary>
internal sealed class StoredTree(JsonNode? root) : ITreeView
{
    public JsonNode? Root { get; } = root;

    public NodeShape Resolve(ReadOnlySpan<string> path) => NodeShape.Of(JsonTree.GetAt(Root, path));
}

/// <summary>
/// A RuleDataSnapshot: a location in a tree view. <c>child()</c> and <c>parent()</c> make new locations;
/// the data is only looked up when a method asks for it.
/// </summary>
internal sealed class RuleSnapshot(ITreeView tree, string[] segments, int length)
{
    private NodeShape? _shape;

    private NodeShape Shape => _shape ??= tree.Resolve(segments.AsSpan(0, length));

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
    public RuleValue Child(string relativePath)
    {
        var parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return RuleValue.Error("child() needs a non-empty path");
        }

        foreach (var part in parts)
        {
            if (!Keys.IsValid(part))
            {
                return RuleValue.Error($"child() path has an invalid key '{part}'");
            }
        }

        var path = new string[length + parts.Length];
        Array.Copy(segments, path, length);
        parts.CopyTo(path, length);
        return RuleValue.From(new RuleSnapshot(tree, path, path.Length));
    }

    /// <summary>The docs: the root has no parent, and asking for it fails the rule.</summary>
    public RuleValue Parent() => length == 0
        ? RuleValue.Error("parent() of the root")
        : RuleValue.From(new RuleSnapshot(tree, segments, length - 1));

    private static RuleValue ValueOf(JsonValue leaf) => leaf.GetValueKind() switch
    {
        JsonValueKind.String => RuleValue.From(leaf.GetValue<string>()),
        JsonValueKind.Number => RuleValue.From(JsonTree.AsDouble(leaf)),
        JsonValueKind.True => RuleValue.True,
        JsonValueKind.False => RuleValue.False,
        _ => RuleValue.Null,
    };
}
