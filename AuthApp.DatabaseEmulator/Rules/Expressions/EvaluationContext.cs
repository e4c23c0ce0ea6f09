namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>
/// The variables of one rule evaluation. The judge moves <see cref="Depth"/> (and fills <see cref="Path"/>)
/// as it walks the rules, so one context serves every rule of a request.
/// </summary>
internal sealed class EvaluationContext(RuleValue auth, double now, ITreeView before, ITreeView? after, string[] path)
{
    /// <summary><c>auth</c>: a map (uid, provider, token) or null.</summary>
    public RuleValue Auth { get; } = auth;

    /// <summary><c>now</c>: the server's time in milliseconds since the Unix epoch.</summary>
    public double Now { get; } = now;

    /// <summary>The data before the operation: <c>root</c> and <c>data</c>.</summary>
    public ITreeView Before { get; } = before;

    /// <summary>The data after a write: <c>newData</c>. Null for reads (the compiler refuses <c>newData</c> in <c>.read</c>).</summary>
    public ITreeView? After { get; } = after;

    /// <summary>The segments of the location being judged, from index 0 to <see cref="Depth"/>; <c>$</c> variables read them.</summary>
    public string[] Path { get; set; } = path;

    public int Depth { get; set; }

    public RuleValue Data => RuleValue.From(new RuleSnapshot(Before, Path, Depth));

    public RuleValue NewData => After is null
        ? RuleValue.Error("newData is not available when reading")
        : RuleValue.From(new RuleSnapshot(After, Path, Depth));

    public RuleValue Root => RuleValue.From(new RuleSnapshot(Before, [], 0));
}
