using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Rules.Expressions;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules.Access;

/// <summary>Whether an operation is allowed and, if not, why (for the emulator's debug log, never for the client).</summary>
internal readonly record struct Verdict(bool Allowed, string Reason)
{
    public static Verdict Allow { get; } = new(true, "");

    public static Verdict Deny(string reason) => new(false, reason);
}

/// <summary>
/// Judges a client's read or write against the rules, as the docs define it:
/// <list type="bullet">
/// <item>A read is allowed when a <c>.read</c> at the location or above it is true; rules are not filters, so a
/// grant below the location does not help.</item>
/// <item>A write is allowed when every location it writes (each written node, and each stored node it replaces or
/// deletes) is covered by a true <c>.write</c> at or above it: a grant above cannot be taken back below, and a
/// <c>.write</c> deeper down can grant what it covers.</item>
/// <item>Then every <c>.validate</c> on a location whose new data is not null must be true: the write's own
/// location, every written node below it, and the locations above it (whose new data now includes the write).
/// <c>.validate</c> does not cascade and is not evaluated for deleted (null) data.</item>
/// </list>
/// A multi-path update is judged as one: every path must pass, and every rule sees the whole update as <c>newData</c>.
/// </summary>
internal static class AccessJudge
{
    public static Verdict Read(RuleNode rules, RuleValue auth, double now, JsonNode? storedRoot, string[] path)
    {
        var context = new EvaluationContext(auth, now, new StoredTree(storedRoot), null, path);
        var trace = new Trace();
        var node = rules;
        for (var depth = 0; ; depth++)
        {
            context.Depth = depth;
            if (trace.Allows(node.Read, context))
            {
                return Verdict.Allow;
            }

            if (depth == path.Length || node.Child(path[depth]) is not { } child)
            {
                return Verdict.Deny($"no .read rule at or above {Display(path, path.Length)} allows it{trace}");
            }

            node = child;
        }
    }

    public static Verdict Write(RuleNode rules, RuleValue auth, double now, PendingWrites after)
    {
        var walk = new WriteWalk(rules, after.StoredRoot, new EvaluationContext(auth, now, new StoredTree(after.StoredRoot), after, []));
        foreach (var write in after.Writes)
        {
            if (!walk.Permitted(write))
            {
                return Verdict.Deny($"no .write rule covers every location written at {Display(write.Path, write.Path.Length)}{walk.Trace}");
            }
        }

        foreach (var write in after.Writes)
        {
            if (!walk.Valid(write))
            {
                return Verdict.Deny($"a .validate rule refused the write at {Display(write.Path, write.Path.Length)}{walk.Trace}");
            }
        }

        return Verdict.Allow;
    }

    internal static string Display(string[] path, int length) => "/" + string.Join('/', path, 0, length);

    /// <summary>
    /// The last rule evaluated, where, and its result: enough to see which rule denied. The location is kept as the
    /// path buffer and a depth and only formatted on denial (nothing writes that part of the buffer after the last rule).
    /// </summary>
    private sealed class Trace
    {
        private CompiledRule? _rule;
        private RuleValue _result;
        private string[] _path = [];
        private int _depth;

        public bool Allows(CompiledRule? rule, EvaluationContext context)
        {
            if (rule is null)
            {
                return false;
            }

            var allowed = rule.Allows(context, out _result);
            (_rule, _path, _depth) = (rule, context.Path, context.Depth);
            return allowed;
        }

        public override string ToString() =>
            _rule is null ? "" : $" (last rule: {_rule.Location} = \"{_rule.Source}\" at {Display(_path, _depth)} gave {_result})";
    }

    private sealed class WriteWalk(RuleNode rules, JsonNode? storedRoot, EvaluationContext context)
    {
        public Trace Trace { get; } = new();

        public bool Permitted(PendingWrite write)
        {
            var path = write.Path;
            context.Path = [.. path];
            var node = rules;
            for (var depth = 0; depth < path.Length; depth++)
            {
                context.Depth = depth;
                if (Trace.Allows(node.Write, context))
                {
                    return true;
                }

                if (node.Child(path[depth]) is not { } child)
                {
                    return false;
                }

                node = child;
            }

            return Covered(node, path.Length, JsonTree.GetAt(storedRoot, path), write.Value);
        }

        /// <summary>Whether a <c>.write</c> here, or one below for every child written or removed, grants this location.</summary>
        private bool Covered(RuleNode node, int depth, JsonNode? stored, JsonNode? written)
        {
            context.Depth = depth;
            if (Trace.Allows(node.Write, context))
            {
                return true;
            }

            // A leaf written, replaced or deleted here can only be granted here or above; so can a write that changes nothing.
            if (stored is JsonValue || written is JsonValue || (stored is null && written is null))
            {
                return false;
            }

            var storedChildren = stored as JsonObject;
            var writtenChildren = written as JsonObject;
            foreach (var (key, storedChild) in storedChildren ?? Enumerable.Empty<KeyValuePair<string, JsonNode?>>())
            {
                if (!CoveredChild(node, depth, key, storedChild, writtenChildren?[key]))
                {
                    return false;
                }
            }

            foreach (var (key, writtenChild) in writtenChildren ?? Enumerable.Empty<KeyValuePair<string, JsonNode?>>())
            {
                if (storedChildren?.ContainsKey(key) != true && !CoveredChild(node, depth, key, null, writtenChild))
                {
                    return false;
                }
            }

            return true;
        }

        private bool CoveredChild(RuleNode node, int depth, string key, JsonNode? stored, JsonNode? written)
        {
            if (node.Child(key) is not { } child)
            {
                return false;
            }

            context.SetSegment(depth, key);
            return Covered(child, depth + 1, stored, written);
        }

        public bool Valid(PendingWrite write)
        {
            var path = write.Path;
            context.Path = [.. path];
            var node = rules;
            for (var depth = 0; depth < path.Length; depth++)
            {
                context.Depth = depth;
                if (node.Validate is { } rule && context.NewDataSnapshot!.Exists() && !Trace.Allows(rule, context))
                {
                    return false;
                }

                if (node.Child(path[depth]) is not { } child)
                {
                    return true;
                }

                node = child;
            }

            return ValidBelow(node, path.Length, write.Value);
        }

        private bool ValidBelow(RuleNode node, int depth, JsonNode? written)
        {
            if (written is null)
            {
                return true;
            }

            context.Depth = depth;
            if (node.Validate is { } rule && !Trace.Allows(rule, context))
            {
                return false;
            }

            if (written is JsonObject children)
            {
                foreach (var (key, child) in children)
                {
                    if (node.Child(key) is { } childRules)
                    {
                        context.SetSegment(depth, key);
                        if (!ValidBelow(childRules, depth + 1, child))
                        {
                            return false;
                        }
                    }
                }
            }

            return true;
        }
    }
}
