using System.Text.Json.Nodes;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>
/// One write as listeners see it: a value set at <see cref="Path"/> (<c>PUT</c>, <c>POST</c>, <c>DELETE</c> as null), or
/// with <see cref="Merge"/> the children of a <c>PATCH</c> at <see cref="Path"/> (keys may be multi-segment, <c>a/b</c>).
/// The value is the stored one (server values resolved); it is not changed afterwards.
/// </summary>
internal sealed record Change(string[] Path, JsonNode? Value, bool Merge = false);
