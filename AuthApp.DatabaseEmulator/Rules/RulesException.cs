namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>
/// A rules document that cannot be used. The message names the source, the location (the JSON path of the rule
/// and the column in its expression, or the line and column of a JSON syntax error) and what is wrong.
/// </summary>
public sealed class RulesException(string message) : Exception(message);
