namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary><c>!x</c>: x must be a boolean.</summary>
internal sealed class NotExpr(Expr operand) : Expr(RuleType.Boolean)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = operand.Evaluate(context);
        return value.Kind switch
        {
            ValueKind.Boolean => RuleValue.From(!value.Boolean),
            ValueKind.Error => value,
            _ => Operations.TypeError("!", value),
        };
    }
}

/// <summary><c>-x</c>: x must be a number.</summary>
internal sealed class NegateExpr(Expr operand) : Expr(RuleType.Number)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = operand.Evaluate(context);
        return value.Kind switch
        {
            ValueKind.Number => RuleValue.From(-value.Number),
            ValueKind.Error => value,
            _ => Operations.TypeError("-", value),
        };
    }
}

/// <summary><c>&amp;&amp;</c> and <c>||</c>, short-circuiting; both sides must be booleans (no JavaScript truthiness).</summary>
internal sealed class LogicalExpr(Expr left, Expr right, bool isAnd) : Expr(RuleType.Boolean)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var first = operand(left);
        if (first.Kind != ValueKind.Boolean || first.Boolean != isAnd)
        {
            return first;
        }

        return operand(right);

        RuleValue operand(Expr expr)
        {
            var value = expr.Evaluate(context);
            return value.Kind is ValueKind.Boolean or ValueKind.Error ? value : Operations.TypeError(isAnd ? "&&" : "||", value);
        }
    }
}

/// <summary><c>c ? a : b</c>.</summary>
internal sealed class ConditionalExpr(Expr condition, Expr whenTrue, Expr whenFalse) : Expr(whenTrue.Type | whenFalse.Type)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var test = condition.Evaluate(context);
        return test.Kind switch
        {
            ValueKind.Boolean => (test.Boolean ? whenTrue : whenFalse).Evaluate(context),
            ValueKind.Error => test,
            _ => Operations.TypeError("?:", test),
        };
    }
}

/// <summary><c>==</c>/<c>===</c> and <c>!=</c>/<c>!==</c> (the same: values of different types are never equal).</summary>
internal sealed class EqualityExpr(Expr left, Expr right, bool negated) : Expr(RuleType.Boolean)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var a = left.Evaluate(context);
        if (a.IsError)
        {
            return a;
        }

        var b = right.Evaluate(context);
        if (b.IsError)
        {
            return b;
        }

        var equal = Operations.Equal(a, b, negated ? "!=" : "==");
        return equal.Kind == ValueKind.Boolean && negated ? RuleValue.From(!equal.Boolean) : equal;
    }
}

internal enum BinaryOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// <summary>Arithmetic on numbers (<c>+</c> also joins two strings) and ordering of two numbers or two strings.</summary>
internal sealed class BinaryExpr(Expr left, Expr right, BinaryOperator op, string symbol, RuleType type) : Expr(type)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var a = left.Evaluate(context);
        if (a.IsError)
        {
            return a;
        }

        var b = right.Evaluate(context);
        if (b.IsError)
        {
            return b;
        }

        if (a.Kind == ValueKind.Number && b.Kind == ValueKind.Number)
        {
            return op switch
            {
                BinaryOperator.Add => RuleValue.From(a.Number + b.Number),
                BinaryOperator.Subtract => RuleValue.From(a.Number - b.Number),
                BinaryOperator.Multiply => RuleValue.From(a.Number * b.Number),
                BinaryOperator.Divide => b.Number == 0 ? RuleValue.Error("division by zero") : RuleValue.From(a.Number / b.Number),
                BinaryOperator.Remainder => b.Number == 0 ? RuleValue.Error("remainder by zero") : RuleValue.From(a.Number % b.Number),
                _ => RuleValue.From(Ordered(a.Number.CompareTo(b.Number))),
            };
        }

        if (a.Kind == ValueKind.String && b.Kind == ValueKind.String)
        {
            return op switch
            {
                BinaryOperator.Add => RuleValue.From(a.String + b.String),
                >= BinaryOperator.Less => RuleValue.From(Ordered(string.CompareOrdinal(a.String, b.String))),
                _ => Operations.TypeError(symbol, a, b),
            };
        }

        return Operations.TypeError(symbol, a, b);
    }

    private bool Ordered(int comparison) => op switch
    {
        BinaryOperator.Less => comparison < 0,
        BinaryOperator.LessOrEqual => comparison <= 0,
        BinaryOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };
}

internal static class Operations
{
    /// <summary>
    /// Null equals only null; booleans, numbers and strings are equal when their types and values are.
    /// Comparing anything else (snapshots, objects, lists) with a non-null value is an error, not false.
    /// </summary>
    public static RuleValue Equal(RuleValue a, RuleValue b, string symbol)
    {
        if (a.Kind == ValueKind.Null || b.Kind == ValueKind.Null)
        {
            return RuleValue.From(a.Kind == b.Kind);
        }

        if (!IsPrimitive(a.Kind) || !IsPrimitive(b.Kind))
        {
            return TypeError(symbol, a, b);
        }

        if (a.Kind != b.Kind)
        {
            return RuleValue.False;
        }

        return RuleValue.From(a.Kind switch
        {
            ValueKind.Boolean => a.Boolean == b.Boolean,
            ValueKind.Number => a.Number == b.Number,
            _ => string.Equals(a.String, b.String, StringComparison.Ordinal),
        });
    }

    private static bool IsPrimitive(ValueKind kind) => kind is ValueKind.Boolean or ValueKind.Number or ValueKind.String;

    public static RuleValue TypeError(string symbol, RuleValue operand) =>
        RuleValue.Error($"'{symbol}' cannot take a {RuleValue.Describe(operand.Kind)}");

    public static RuleValue TypeError(string symbol, RuleValue a, RuleValue b) =>
        RuleValue.Error($"'{symbol}' cannot take a {RuleValue.Describe(a.Kind)} and a {RuleValue.Describe(b.Kind)}");
}
