using System.Net;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>
/// A compiled rules document: the tree <see cref="Access.AccessJudge"/> walks for <c>.read</c>, <c>.write</c>
/// and <c>.validate</c>, the <c>.indexOn</c> entries queries need, and the text it came from.
/// </summary>
internal sealed class RuleSet
{
    private RuleSet(RuleNode root, string text)
    {
        Root = root;
        Text = text;
    }

    public RuleNode Root { get; }

    /// <summary>The document as it was given (what <c>GET /.settings/rules.json</c> returns).</summary>
    public string Text { get; }

    /// <param name="source">Names the document in errors: a file path, or the settings endpoint.</param>
    public static RuleSet Parse(string text, string source) => new(RulesCompiler.Compile(text, source), text);

    public static RuleSet Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new RulesException($"{path}: cannot read the rules file ({ex.Message})");
        }

        return Parse(text, path);
    }

    /// <summary>Throws RTDB's "Index not defined" 400 when ordering <paramref name="segments"/>' children needs an index the rules lack.</summary>
    public void RequireIndex(string[] segments, Query query)
    {
        if (query.OrderBy is "$key" or "$priority")
        {
            return;
        }

        var field = query.OrderBy == "$value" ? ".value" : string.Join('/', query.ChildPath);
        if (!IndexesAt(segments).Contains(field))
        {
            var path = "/" + string.Join('/', segments);
            throw new RtdbException(HttpStatusCode.BadRequest, $"Index not defined, add \".indexOn\": \"{field}\", for path \"{path}\", to the rules");
        }
    }

    private IReadOnlySet<string> IndexesAt(string[] segments)
    {
        var node = Root;
        foreach (var segment in segments)
        {
            if (node.Child(segment) is not { } child)
            {
                return new HashSet<string>();
            }

            node = child;
        }

        return node.IndexOn;
    }
}
