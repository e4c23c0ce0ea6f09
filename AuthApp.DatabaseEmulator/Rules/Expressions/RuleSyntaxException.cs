namespace AuthApp.DatabaseEmulator.Rules.Expressions;

/// <summary>A rule expression that does not compile; <see cref="Column"/> is 1-based within the expression.</summary>
internal sealed class RuleSyntaxException(int column, string message) : Exception(message)
{
    public int Column { get; } = column;
}
