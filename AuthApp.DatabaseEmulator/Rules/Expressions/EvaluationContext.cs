namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>
/// The variables of one rule evaluation. The judge moves the location (<see cref="Depth"/>, and the segments of
/// <see cref="Path"/>) as it walks the rules, so one context serves every rule of a request; <c>data</c> and
/// <c>newData</c> are made once per location, so the rules of a location share their lookups.
/// </summary>
internal sealed class EvaluationContext(RuleValue auth, double now, ITreeView before, ITreeView? after, string[] path)
{
    private string[] _path = path;
    private int _depth;
    private RuleSnapshot? _data;
    private RuleSnapshot? _newData;

    /// <summary><c>auth</c>: a map (uid, provider, token) or null.</summary>
    public RuleValue Auth { get; } = auth;

    /// <summary><c>now</c>: the server's time in milliseconds since the Unix epoch.</summary>
    public double Now { get; } = now;

    /// <summary>The data before the operation: <c>root</c> and <c>data</c>.</summary>
    public ITreeView Before { get; } = before;

    /// <summary>The data after a write: <c>newData</c>. Null for reads (the compiler refuses <c>newData</c> in <c>.read</c>).</summary>
    public ITreeView? After { get; } = after;

    /// <summary>The segments of the location being judged, from index 0 to <see cref="Depth"/>; <c>$</c> variables read them.</summary>
    public string[] Path
    {
        get => _path;
        set
        {
            _path = value;
            Moved();
        }
    }

    public int Depth
    {
        get => _depth;
        set
        {
            _depth = value;
            Moved();
        }
    }

    public RuleValue Data => RuleValue.From(_data ??= new RuleSnapshot(Before, _path, _depth));

    public RuleValue NewData => NewDataSnapshot is { } snapshot
        ? RuleValue.From(snapshot)
        : RuleValue.Error("newData is not available when reading");

    public RuleSnapshot? NewDataSnapshot => After is null ? null : _newData ??= new RuleSnapshot(After, _path, _depth);

    public RuleValue Root => RuleValue.From(new RuleSnapshot(Before, [], 0));

    /// <summary>Sets the key of path segment <paramref name="index"/> (growing the path as needed).</summary>
    public void SetSegment(int index, string key)
    {
        if (index >= _path.Length)
        {
            Array.Resize(ref _path, Math.Max(index + 1, _path.Length * 2));
        }

        _path[index] = key;
        Moved();
    }

    private void Moved() => (_data, _newData) = (null, null);
}
