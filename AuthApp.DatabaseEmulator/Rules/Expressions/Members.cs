using System.Text.RegularExpressions;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary><c>x.name</c> on an object (<c>auth.uid</c>, <c>auth.token.email</c>); a missing field is null, a field of null is an error.</summary>
internal sealed class FieldExpr(Expr target, string name, RuleType type) : Expr(type)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = target.Evaluate(context);
        return value.Kind switch
        {
            ValueKind.Map => value.Map.TryGetValue(name, out var field) ? field : RuleValue.Null,
            ValueKind.Error => value,
            _ => RuleValue.Error($"cannot read '{name}' of a {RuleValue.Describe(value.Kind)}"),
        };
    }
}

/// <summary><c>s.length</c>: the string's length in UTF-16 code units, as in JavaScript.</summary>
internal sealed class LengthExpr(Expr target) : Expr(RuleType.Number)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = target.Evaluate(context);
        return value.Kind switch
        {
            ValueKind.String => RuleValue.From(value.String.Length),
            ValueKind.Error => value,
            _ => RuleValue.Error($"'length' of a {RuleValue.Describe(value.Kind)}"),
        };
    }
}

internal enum SnapshotMethod
{
    Val,
    Child,
    Parent,
    HasChild,
    HasChildren,
    Exists,
    GetPriority,
    IsNumber,
    IsString,
    IsBoolean,
}

/// <summary>
/// The RuleDataSnapshot methods. A literal path argument (<c>child('a/b')</c>, <c>hasChildren(['a', 'b'])</c>) is
/// split and checked when the rules compile: <paramref name="literalPaths"/>, used instead of evaluating the argument.
/// </summary>
internal sealed class SnapshotCallExpr(Expr target, SnapshotMethod method, Expr? argument, RuleType type, string[][]? literalPaths = null) : Expr(type)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = target.Evaluate(context);
        if (value.Kind != ValueKind.Snapshot)
        {
            return value.IsError ? value : RuleValue.Error($"{method} of a {RuleValue.Describe(value.Kind)}");
        }

        var snapshot = value.Snapshot;
        if (literalPaths is not null)
        {
            return method switch
            {
                SnapshotMethod.Child => RuleValue.From(snapshot.Child(literalPaths[0])),
                _ => RuleValue.From(literalPaths.All(path => snapshot.Child(path).Exists())),
            };
        }

        var arg = argument?.Evaluate(context) ?? RuleValue.Null;
        if (arg.IsError)
        {
            return arg;
        }

        switch (method)
        {
            case SnapshotMethod.Val:
                return snapshot.Val();
            case SnapshotMethod.Exists:
                return RuleValue.From(snapshot.Exists());
            // This emulator stores no priorities (as the REST API drops .priority), so every node has none.
            case SnapshotMethod.GetPriority:
                return RuleValue.Null;
            case SnapshotMethod.IsNumber:
                return RuleValue.From(snapshot.IsNumber());
            case SnapshotMethod.IsString:
                return RuleValue.From(snapshot.IsString());
            case SnapshotMethod.IsBoolean:
                return RuleValue.From(snapshot.IsBoolean());
            case SnapshotMethod.Parent:
                return snapshot.Parent();
            case SnapshotMethod.Child:
                return arg.Kind == ValueKind.String ? snapshot.Child(arg.String) : RuleValue.Error("child() needs a string");
            case SnapshotMethod.HasChild:
                return arg.Kind == ValueKind.String ? ChildExists(snapshot, arg) : RuleValue.Error("hasChild() needs a string");
            default:
                return argument is null ? RuleValue.From(snapshot.HasChildren()) : AllChildrenExist(snapshot, arg);
        }
    }

    private static RuleValue ChildExists(RuleSnapshot snapshot, RuleValue path)
    {
        var child = snapshot.Child(path.String);
        return child.IsError ? child : RuleValue.From(child.Snapshot.Exists());
    }

    /// <summary><c>hasChildren(['a', 'b'])</c>: true when every named child exists.</summary>
    private static RuleValue AllChildrenExist(RuleSnapshot snapshot, RuleValue names)
    {
        foreach (var name in names.List)
        {
            if (name.Kind != ValueKind.String)
            {
                return RuleValue.Error("hasChildren() needs an array of strings");
            }

            var exists = ChildExists(snapshot, name);
            if (exists.IsError || !exists.Boolean)
            {
                return exists;
            }
        }

        return RuleValue.True;
    }
}

internal enum StringMethod
{
    Contains,
    BeginsWith,
    EndsWith,
    Replace,
    ToLowerCase,
    ToUpperCase,
}

/// <summary>The string methods; the docs: they "can only be used on strings (otherwise the rule will fail)".</summary>
internal sealed class StringCallExpr(Expr target, StringMethod method, Expr[] arguments) : Expr(
    method is StringMethod.Replace or StringMethod.ToLowerCase or StringMethod.ToUpperCase ? RuleType.String : RuleType.Boolean)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = target.Evaluate(context);
        if (value.Kind != ValueKind.String)
        {
            return value.IsError ? value : RuleValue.Error($"{method} of a {RuleValue.Describe(value.Kind)}");
        }

        var text = value.String;
        string? first = null, second = null;
        for (var i = 0; i < arguments.Length; i++)
        {
            var arg = arguments[i].Evaluate(context);
            if (arg.Kind != ValueKind.String)
            {
                return arg.IsError ? arg : RuleValue.Error($"{method} needs string arguments");
            }

            if (i == 0)
            {
                first = arg.String;
            }
            else
            {
                second = arg.String;
            }
        }

        return method switch
        {
            StringMethod.Contains => RuleValue.From(text.Contains(first!, StringComparison.Ordinal)),
            StringMethod.BeginsWith => RuleValue.From(text.StartsWith(first!, StringComparison.Ordinal)),
            StringMethod.EndsWith => RuleValue.From(text.EndsWith(first!, StringComparison.Ordinal)),
            StringMethod.ToLowerCase => RuleValue.From(text.ToLowerInvariant()),
            StringMethod.ToUpperCase => RuleValue.From(text.ToUpperInvariant()),
            _ => first!.Length == 0
                ? RuleValue.Error("replace() of an empty substring")
                : RuleValue.From(text.Replace(first, second, StringComparison.Ordinal)),
        };
    }
}

/// <summary><c>s.matches(/re/)</c>, the pattern compiled once with the rules.</summary>
internal sealed class MatchesExpr(Expr target, Regex regex) : Expr(RuleType.Boolean)
{
    public override RuleValue Evaluate(EvaluationContext context)
    {
        var value = target.Evaluate(context);
        return value.Kind switch
        {
            ValueKind.String => RuleValue.From(regex.IsMatch(value.String)),
            ValueKind.Error => value,
            _ => RuleValue.Error($"matches() of a {RuleValue.Describe(value.Kind)}"),
        };
    }
}
