using System.Collections.Concurrent;

namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>
/// The rules of each namespace: those <c>PUT</c> to <c>/.settings/rules.json?ns=</c> (as the official emulator is
/// driven), else the <c>Rules:Path</c> file loaded at start-up, else none. A namespace without rules is not judged:
/// every request acts as the owner.
/// </summary>
internal sealed class RulesRegistry(RuleSet? fromFile)
{
    private readonly ConcurrentDictionary<string, RuleSet> _byNamespace = new(StringComparer.Ordinal);

    public RuleSet? For(string ns) => _byNamespace.TryGetValue(ns, out var rules) ? rules : fromFile;

    public void Set(string ns, RuleSet rules) => _byNamespace[ns] = rules;
}
