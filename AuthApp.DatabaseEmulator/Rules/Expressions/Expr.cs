namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>
/// A compiled rule expression: a tree built once when the rules load, evaluated per request without parsing.
/// <see cref="Type"/> is what it can evaluate to, known at compile time.
/// </summary>
internal abstract class Expr(RuleType type)
{
    public RuleType Type { get; } = type;

    public abstract RuleValue Evaluate(EvaluationContext context);
}

internal sealed class LiteralExpr(RuleValue value, RuleType type) : Expr(type)
{
    public RuleValue Value { get; } = value;

    public override RuleValue Evaluate(EvaluationContext context) => Value;
}

internal sealed class AuthExpr() : Expr(RuleType.Map | RuleType.Null)
{
    public override RuleValue Evaluate(EvaluationContext context) => context.Auth;
}

internal sealed class NowExpr() : Expr(RuleType.Number)
{
    public override RuleValue Evaluate(EvaluationContext context) => RuleValue.From(context.Now);
}

internal sealed class RootExpr() : Expr(RuleType.Snapshot)
{
    public override RuleValue Evaluate(EvaluationContext context) => context.Root;
}

internal sealed class DataExpr() : Expr(RuleType.Snapshot)
{
    public override RuleValue Evaluate(EvaluationContext context) => context.Data;
}

internal sealed class NewDataExpr() : Expr(RuleType.Snapshot)
{
    public override RuleValue Evaluate(EvaluationContext context) => context.NewData;
}

/// <summary>A <c>$wildcard</c>: the key of the path segment it captured.</summary>
internal sealed class CaptureExpr(int segment) : Expr(RuleType.String)
{
    public override RuleValue Evaluate(EvaluationContext context) => RuleValue.From(context.Path[segment]);
}

/// <summary><c>[a, b]</c>: only as the argument of <c>hasChildren()</c>.</summary>
internal sealed class ListExpr(Expr[] items) : Expr(RuleType.List)
{
    public IReadOnlyList<Expr> Items => items;

    public override RuleValue Evaluate(EvaluationContext context)
    {
        var values = new RuleValue[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = items[i].Evaluate(context);
            if (values[i].IsError)
            {
                return values[i];
            }
        }

        return RuleValue.FromList(values);
    }
}
