using AuthApp.DatabaseEmulator.Rules.Expressions;

namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>One rule of a location: its compiled expression, and where it came from (for denial reasons in the log).</summary>
internal sealed record CompiledRule(Expr Expression, string Location, string Source)
{
    /// <summary>True only for a boolean true; false, a non-boolean or a run-time error deny (as in Firebase).</summary>
    public bool Allows(EvaluationContext context, out RuleValue result)
    {
        result = Expression.Evaluate(context);
        return result.Kind == ValueKind.Boolean && result.Boolean;
    }
}

/// <summary>The rules of one location in the rules tree: named children first, else the <c>$wildcard</c>.</summary>
internal sealed class RuleNode(int depth)
{
    /// <summary>0 for <c>/rules</c>; a node at depth d judges locations of d segments.</summary>
    public int Depth { get; } = depth;

    public CompiledRule? Read { get; set; }

    public CompiledRule? Write { get; set; }

    public CompiledRule? Validate { get; set; }

    public IReadOnlySet<string> IndexOn { get; set; } = new HashSet<string>();

    public Dictionary<string, RuleNode> Children { get; } = new(StringComparer.Ordinal);

    public string? WildcardName { get; set; }

    public RuleNode? Wildcard { get; set; }

    /// <summary>The docs: a named child takes precedence over a <c>$location</c> sibling.</summary>
    public RuleNode? Child(string key) => Children.TryGetValue(key, out var named) ? named : Wildcard;
}
