namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>
/// What an expression can evaluate to, known when the rules are compiled: a set of kinds. An operation
/// whose operand cannot be any of the kinds it accepts is a compile error ("where detectable");
/// otherwise the exact check happens at run time and a mismatch makes the rule false.
/// </summary>
[Flags]
internal enum RuleType
{
    None = 0,
    Null = 1 << ValueKind.Null,
    Boolean = 1 << ValueKind.Boolean,
    Number = 1 << ValueKind.Number,
    String = 1 << ValueKind.String,
    Snapshot = 1 << ValueKind.Snapshot,
    Map = 1 << ValueKind.Map,
    Object = 1 << ValueKind.Object,
    List = 1 << ValueKind.List,

    /// <summary>A regular expression literal: only valid as the argument of <c>matches()</c>.</summary>
    Regex = 1 << 10,

    /// <summary>What <c>val()</c> can return.</summary>
    Value = Null | Boolean | Number | String | Object,

    /// <summary>A token claim: any JSON value.</summary>
    Claim = Null | Boolean | Number | String | Map | List,
}

internal static class RuleTypes
{
    public static bool CanBe(this RuleType type, RuleType wanted) => (type & wanted) != 0;

    public static string Describe(this RuleType type)
    {
        var names = new List<string>();
        foreach (var kind in Enum.GetValues<RuleType>())
        {
            if (kind is RuleType.None or RuleType.Value or RuleType.Claim || !System.Numerics.BitOperations.IsPow2((int)kind))
            {
                continue;
            }

            if ((type & kind) != 0)
            {
                names.Add(kind == RuleType.Map ? "object" : kind.ToString().ToLowerInvariant());
            }
        }

        return string.Join(" or ", names);
    }
}
