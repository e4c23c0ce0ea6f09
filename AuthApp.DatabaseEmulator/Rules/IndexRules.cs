using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>
/// The <c>.indexOn</c> entries of a <c>database.rules.json</c>. Without a rules file nothing is enforced.
/// Read/write rules are not evaluated: every request is treated as the owner's.
/// </summary>
internal sealed class IndexRules
{
    private readonly JsonObject? _rules;

    private IndexRules(JsonObject? rules) => _rules = rules;

    public bool Enforced => _rules is not null;

    public static IndexRules None { get; } = new(null);

    public static IndexRules Load(string path)
    {
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: options) as JsonObject
                   ?? throw new InvalidDataException($"{path} is not a JSON object.");
        return new IndexRules(root["rules"] as JsonObject ?? new JsonObject());
    }

    /// <summary>Throws RTDB's "Index not defined" 400 when ordering <paramref name="segments"/>' children needs an index the rules lack.</summary>
    public void RequireIndex(string[] segments, Query query)
    {
        if (_rules is null || query.OrderBy is "$key" or "$priority")
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

    private HashSet<string> IndexesAt(string[] segments)
    {
        JsonObject? node = _rules;
        foreach (var segment in segments)
        {
            if (node is null)
            {
                return [];
            }

            node = node[segment] as JsonObject
                   ?? node.Where(pair => pair.Key.StartsWith('$')).Select(pair => pair.Value).OfType<JsonObject>().FirstOrDefault();
        }

        return node?[".indexOn"] switch
        {
            JsonValue single when single.GetValueKind() == JsonValueKind.String => [single.GetValue<string>()],
            JsonArray many => [.. many.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>())],
            _ => [],
        };
    }
}
