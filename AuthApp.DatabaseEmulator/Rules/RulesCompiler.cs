using System.Text.Json;
using AuthApp.DatabaseEmulator.Rules.Expressions;
using AuthApp.DatabaseEmulator.Tree;

namespace AuthApp.DatabaseEmulator.Rules;

/// <summary>
/// Turns a <c>database.rules.json</c> into a <see cref="RuleNode"/> tree with every expression compiled, once.
/// Anything Firebase would refuse to deploy, or that this emulator cannot judge faithfully, is a
/// <see cref="RulesException"/> naming its location: JSON syntax, unknown rule types, keys that are not
/// database keys, two <c>$</c> locations side by side, a <c>$</c> name used twice on a path, expressions
/// that do not parse or cannot be a boolean, and the other type errors the compiler can see.
/// </summary>
internal static class RulesCompiler
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 128,
    };

    public static RuleNode Compile(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $"line {line + 1}, column {ex.BytePositionInLine + 1}" : "JSON";
            throw new RulesException($"{source}: {where}: not valid JSON ({FirstSentence(ex.Message)})");
        }

        using (document)
        {
            var top = document.RootElement;
            if (top.ValueKind != JsonValueKind.Object)
            {
                throw new RulesException($"{source}: the document must be an object with a \"rules\" member");
            }

            JsonElement? rules = null;
            foreach (var member in top.EnumerateObject())
            {
                if (member.Name != "rules" || rules is not null)
                {
                    throw new RulesException($"{source}: /{member.Name}: unexpected member (a rules document has exactly one member, \"rules\")");
                }

                rules = member.Value;
            }

            if (rules is null)
            {
                throw new RulesException($"{source}: the document has no \"rules\" member");
            }

            var root = new RuleNode(0);
            new Walker(source).Location(rules.Value, root, "/rules", new Dictionary<string, int>(StringComparer.Ordinal));
            return root;
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }

    private sealed class Walker(string source)
    {
        public void Location(JsonElement element, RuleNode node, string path, Dictionary<string, int> captures)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Fail(path, $"a location's rules must be an object, not {Describe(element)}");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in element.EnumerateObject())
            {
                var name = member.Name;
                var memberPath = $"{path}/{name}";
                if (!seen.Add(name))
                {
                    throw Fail(memberPath, "appears twice");
                }

                switch (name)
                {
                    case ".read":
                        node.Read = Rule(member.Value, memberPath, new RuleScope(captures, AllowsNewData: false));
                        break;
                    case ".write":
                        node.Write = Rule(member.Value, memberPath, new RuleScope(captures, AllowsNewData: true));
                        break;
                    case ".validate":
                        node.Validate = Rule(member.Value, memberPath, new RuleScope(captures, AllowsNewData: true));
                        break;
                    case ".indexOn":
                        node.IndexOn = Indexes(member.Value, memberPath);
                        break;
                    default:
                        Child(member, node, memberPath, captures);
                        break;
                }
            }
        }

        private void Child(JsonProperty member, RuleNode node, string path, Dictionary<string, int> captures)
        {
            var name = member.Name;
            if (name.StartsWith('.'))
            {
                throw Fail(path, $"unknown rule type '{name}' (expected .read, .write, .validate or .indexOn)");
            }

            var child = new RuleNode(node.Depth + 1);
            if (name.StartsWith('$'))
            {
                if (!Keys.IsValid(name[1..]))
                {
                    throw Fail(path, $"'{name}' is not a valid $location name");
                }

                if (node.WildcardName is { } sibling)
                {
                    throw Fail(path, $"a location can have only one $ child, and this one already has '{sibling}'");
                }

                if (captures.ContainsKey(name))
                {
                    throw Fail(path, $"'{name}' is already captured by a location above");
                }

                node.WildcardName = name;
                node.Wildcard = child;
                Location(member.Value, child, path, new Dictionary<string, int>(captures, StringComparer.Ordinal) { [name] = node.Depth });
                return;
            }

            if (!Keys.IsValid(name))
            {
                throw Fail(path, $"'{name}' is not a valid database key");
            }

            node.Children[name] = child;
            Location(member.Value, child, path, captures);
        }

        private CompiledRule Rule(JsonElement value, string path, RuleScope scope)
        {
            switch (value.ValueKind)
            {
                case JsonValueKind.True or JsonValueKind.False:
                    var constant = value.ValueKind == JsonValueKind.True;
                    return new CompiledRule(new LiteralExpr(RuleValue.From(constant), RuleType.Boolean), path, constant ? "true" : "false");
                case JsonValueKind.String:
                    var text = value.GetString()!;
                    try
                    {
                        return new CompiledRule(Parser.ParseRule(text, scope), path, text);
                    }
                    catch (RuleSyntaxException ex)
                    {
                        throw Fail($"{path}, column {ex.Column}", $"{ex.Message}\n    {text}\n    {new string(' ', Math.Max(0, ex.Column - 1))}^");
                    }

                default:
                    throw Fail(path, $"a rule must be a boolean or a string expression, not {Describe(value)}");
            }
        }

        private HashSet<string> Indexes(JsonElement value, string path)
        {
            List<JsonElement> names = value.ValueKind switch
            {
                JsonValueKind.String => [value],
                JsonValueKind.Array => value.EnumerateArray().ToList(),
                _ => throw Fail(path, $".indexOn must be a string or an array of strings, not {Describe(value)}"),
            };

            var indexes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in names)
            {
                if (name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } text)
                {
                    throw Fail(path, $".indexOn entries must be non-empty strings, not {Describe(name)}");
                }

                indexes.Add(text);
            }

            return indexes;
        }

        private RulesException Fail(string location, string message) => new($"{source}: {location}: {message}");

        private static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.Null => "null",
            _ => "a boolean",
        };
    }
}
