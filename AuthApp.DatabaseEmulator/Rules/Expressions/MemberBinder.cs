using System.Text.RegularExpressions;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>A regex literal, as the compiled argument of <c>matches()</c>; never evaluated on its own.</summary>
internal sealed class RegexArgument(Regex regex) : Expr(RuleType.Regex)
{
    public Regex Regex { get; } = regex;

    public override RuleValue Evaluate(EvaluationContext context) => RuleValue.Error("a regular expression is not a value");
}

/// <summary>Resolves <c>x.name</c> and <c>x.name(...)</c> when the rules compile: what exists depends on what x can be.</summary>
internal static class MemberBinder
{
    private static readonly Dictionary<string, (SnapshotMethod Method, int MinArgs, int MaxArgs, RuleType Result)> SnapshotMethods = new(StringComparer.Ordinal)
    {
        ["val"] = (SnapshotMethod.Val, 0, 0, RuleType.Value),
        ["child"] = (SnapshotMethod.Child, 1, 1, RuleType.Snapshot),
        ["parent"] = (SnapshotMethod.Parent, 0, 0, RuleType.Snapshot),
        ["hasChild"] = (SnapshotMethod.HasChild, 1, 1, RuleType.Boolean),
        ["hasChildren"] = (SnapshotMethod.HasChildren, 0, 1, RuleType.Boolean),
        ["exists"] = (SnapshotMethod.Exists, 0, 0, RuleType.Boolean),
        ["getPriority"] = (SnapshotMethod.GetPriority, 0, 0, RuleType.Null | RuleType.Number | RuleType.String),
        ["isNumber"] = (SnapshotMethod.IsNumber, 0, 0, RuleType.Boolean),
        ["isString"] = (SnapshotMethod.IsString, 0, 0, RuleType.Boolean),
        ["isBoolean"] = (SnapshotMethod.IsBoolean, 0, 0, RuleType.Boolean),
    };

    private static readonly Dictionary<string, (StringMethod Method, int Args)> StringMethods = new(StringComparer.Ordinal)
    {
        ["contains"] = (StringMethod.Contains, 1),
        ["beginsWith"] = (StringMethod.BeginsWith, 1),
        ["endsWith"] = (StringMethod.EndsWith, 1),
        ["replace"] = (StringMethod.Replace, 2),
        ["toLowerCase"] = (StringMethod.ToLowerCase, 0),
        ["toUpperCase"] = (StringMethod.ToUpperCase, 0),
    };

    /// <summary>The fields the docs give <c>auth</c>.</summary>
    private static readonly Dictionary<string, RuleType> AuthFields = new(StringComparer.Ordinal)
    {
        ["uid"] = RuleType.String,
        ["provider"] = RuleType.String,
        ["token"] = RuleType.Map,
    };

    public static Expr Property(Expr target, Token name)
    {
        if (target.Type == RuleType.Snapshot)
        {
            throw Parser.Error(name, SnapshotMethods.ContainsKey(name.Text)
                ? $"'{name.Text}' is a method of RuleDataSnapshot: call it as {name.Text}()"
                : $"a RuleDataSnapshot has no property '{name.Text}'");
        }

        if (name.Text == "length")
        {
            return target.Type.CanBe(RuleType.String)
                ? new LengthExpr(target)
                : throw Parser.Error(name, $"'length' needs a string, not a {target.Type.Describe()}");
        }

        if (target is AuthExpr)
        {
            return AuthFields.TryGetValue(name.Text, out var type)
                ? new FieldExpr(target, name.Text, type)
                : throw Parser.Error(name, $"auth has no field '{name.Text}' (it has uid, provider and token)");
        }

        return target.Type.CanBe(RuleType.Map)
            ? new FieldExpr(target, name.Text, RuleType.Claim)
            : throw Parser.Error(name, $"a {target.Type.Describe()} has no field '{name.Text}'");
    }

    public static Expr Method(Expr target, Token name, Token open, IReadOnlyList<Expr> arguments)
    {
        if (target.Type == RuleType.Snapshot)
        {
            return SnapshotCall(target, name, open, arguments);
        }

        if (target.Type.CanBe(RuleType.Snapshot))
        {
            throw Parser.Error(name, "this may be a snapshot or a value: give both branches of '?:' the same kind");
        }

        if (!target.Type.CanBe(RuleType.String))
        {
            throw Parser.Error(name, $"a {target.Type.Describe()} has no method '{name.Text}'");
        }

        if (name.Text == "matches")
        {
            return arguments is [RegexArgument regex]
                ? new MatchesExpr(target, regex.Regex)
                : throw Parser.Error(open, "matches() takes one regular expression literal, e.g. matches(/^a+$/)");
        }

        if (!StringMethods.TryGetValue(name.Text, out var method))
        {
            throw Parser.Error(name, $"a string has no method '{name.Text}'");
        }

        RequireCount(name, open, arguments, method.Args, method.Args);
        foreach (var argument in arguments)
        {
            RequireString(open, name, argument);
        }

        return new StringCallExpr(target, method.Method, [.. arguments]);
    }

    private static Expr SnapshotCall(Expr target, Token name, Token open, IReadOnlyList<Expr> arguments)
    {
        if (!SnapshotMethods.TryGetValue(name.Text, out var method))
        {
            throw Parser.Error(name, $"a RuleDataSnapshot has no method '{name.Text}'");
        }

        RequireCount(name, open, arguments, method.MinArgs, method.MaxArgs);
        var argument = arguments.Count == 1 ? arguments[0] : null;
        if (method.Method == SnapshotMethod.HasChildren && argument is not null and not ListExpr)
        {
            throw Parser.Error(open, "hasChildren() takes no argument or an array of names, e.g. hasChildren(['a', 'b'])");
        }

        if (method.Method is SnapshotMethod.Child or SnapshotMethod.HasChild)
        {
            RequireString(open, name, argument!);
        }

        return new SnapshotCallExpr(target, method.Method, argument, method.Result, LiteralPaths(open, argument));
    }

    /// <summary>The paths of a literal argument, checked now: an invalid key in a literal is a compile error.</summary>
    private static string[][]? LiteralPaths(Token open, Expr? argument)
    {
        IEnumerable<Expr> items = argument switch
        {
            LiteralExpr => [argument],
            ListExpr list => list.Items,
            _ => [],
        };
        var paths = new List<string[]>();
        foreach (var item in items)
        {
            if (item is not LiteralExpr { Value.Kind: ValueKind.String } literal)
            {
                return null;
            }

            if (RuleSnapshot.SplitPath(literal.Value.String, out var parts) is { } error)
            {
                throw Parser.Error(open, error);
            }

            paths.Add(parts);
        }

        return paths.Count > 0 ? [.. paths] : null;
    }

    private static void RequireCount(Token name, Token open, IReadOnlyList<Expr> arguments, int min, int max)
    {
        if (arguments.Count < min || arguments.Count > max)
        {
            var expected = min == max ? $"{min}" : $"{min} or {max}";
            throw Parser.Error(open, $"{name.Text}() takes {expected} argument(s), not {arguments.Count}");
        }
    }

    private static void RequireString(Token open, Token name, Expr argument)
    {
        if (!argument.Type.CanBe(RuleType.String))
        {
            throw Parser.Error(open, $"{name.Text}() needs a string argument, not a {argument.Type.Describe()}");
        }
    }
}
