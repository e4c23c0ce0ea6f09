using System.Globalization;

namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>What a rule expression's value can be at run time.</summary>
internal enum ValueKind : byte
{
    Null,
    Boolean,
    Number,
    String,
    Snapshot,

    /// <summary>An object such as <c>auth</c> or <c>auth.token</c>: its fields are read with <c>.name</c>.</summary>
    Map,

    /// <summary>
    /// What <c>val()</c> returns for a node that has children: the docs say it is not an object of the
    /// children but a sentinel, so that rules read children with <c>child()</c>. It equals nothing but itself.
    /// </summary>
    Object,

    /// <summary>An array: a token claim, or the argument of <c>hasChildren([...])</c>.</summary>
    List,

    /// <summary>A run-time error (e.g. <c>auth.uid</c> when <c>auth</c> is null): the rule evaluates to false.</summary>
    Error,
}

/// <summary>A value during evaluation; errors propagate as values so that a failing rule costs no exception.</summary>
internal readonly struct RuleValue
{
    private readonly double _number;
    private readonly object? _reference;

    private RuleValue(ValueKind kind, double number, object? reference)
    {
        Kind = kind;
        _number = number;
        _reference = reference;
    }

    public ValueKind Kind { get; }

    public static RuleValue Null => default;

    public static RuleValue True { get; } = new(ValueKind.Boolean, 1, null);

    public static RuleValue False { get; } = new(ValueKind.Boolean, 0, null);

    public static RuleValue ObjectSentinel { get; } = new(ValueKind.Object, 0, null);

    public bool IsError => Kind == ValueKind.Error;

    public bool Boolean => _number != 0;

    public double Number => _number;

    public string String => (string)_reference!;

    public RuleSnapshot Snapshot => (RuleSnapshot)_reference!;

    public IReadOnlyDictionary<string, RuleValue> Map => (IReadOnlyDictionary<string, RuleValue>)_reference!;

    public RuleValue[] List => (RuleValue[])_reference!;

    /// <summary>Why the evaluation failed (for the emulator's debug log).</summary>
    public string ErrorMessage => (string)_reference!;

    public static RuleValue From(bool value) => value ? True : False;

    public static RuleValue From(double value) => new(ValueKind.Number, value, null);

    public static RuleValue From(string value) => new(ValueKind.String, 0, value);

    public static RuleValue From(RuleSnapshot snapshot) => new(ValueKind.Snapshot, 0, snapshot);

    public static RuleValue FromMap(IReadOnlyDictionary<string, RuleValue> fields) => new(ValueKind.Map, 0, fields);

    public static RuleValue FromList(RuleValue[] items) => new(ValueKind.List, 0, items);

    public static RuleValue Error(string message) => new(ValueKind.Error, 0, message);

    public override string ToString() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Boolean => Boolean ? "true" : "false",
        ValueKind.Number => _number.ToString(CultureInfo.InvariantCulture),
        ValueKind.String => $"'{String}'",
        ValueKind.Error => $"error: {ErrorMessage}",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    public static string Describe(ValueKind kind) => kind switch
    {
        ValueKind.Map => "object",
        ValueKind.Object => "object with children",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
