using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace AuthApp.DatabaseEmulator.Tree;

/// <summary>A parsed REST query (<c>orderBy</c>, <c>startAt</c>, <c>endAt</c>, <c>equalTo</c>, <c>limitToFirst</c>, <c>limitToLast</c>).</summary>
internal sealed class Query
{
    private Query(string orderBy)
    {
        OrderBy = orderBy;
        ChildPath = orderBy is "$key" or "$value" or "$priority" ? [] : orderBy.Split('/', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary><c>$key</c>, <c>$value</c>, <c>$priority</c> or a child path.</summary>
    public string OrderBy { get; }

    public string[] ChildPath { get; }

    public bool IsChildOrder => ChildPath.Length > 0;

    public JsonNode? StartAt { get; private init; }

    public bool HasStartAt { get; private init; }

    public JsonNode? EndAt { get; private init; }

    public bool HasEndAt { get; private init; }

    public int? LimitToFirst { get; private init; }

    public int? LimitToLast { get; private init; }

    /// <summary>Null when the request has no query; RTDB's 400 errors for malformed ones.</summary>
    public static Query? Parse(IQueryCollection query)
    {
        var orderByText = query["orderBy"].ToString();
        var hasOthers = query.ContainsKey("startAt") || query.ContainsKey("endAt") || query.ContainsKey("equalTo")
                        || query.ContainsKey("limitToFirst") || query.ContainsKey("limitToLast");
        if (!query.ContainsKey("orderBy"))
        {
            if (hasOthers)
            {
                throw new RtdbException(HttpStatusCode.BadRequest, "orderBy must be defined when other query parameters are defined");
            }

            return null;
        }

        string orderBy;
        try
        {
            orderBy = JsonNode.Parse(orderByText) is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            orderBy = "";
        }

        if (orderBy.Length == 0 || (orderBy[0] == '$' && orderBy is not ("$key" or "$value" or "$priority"))
            || (orderBy[0] != '$' && orderBy.Split('/', StringSplitOptions.RemoveEmptyEntries) is var parts && (parts.Length == 0 || !parts.All(Keys.IsValid))))
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "orderBy must be a valid JSON encoded path");
        }

        if (query.ContainsKey("limitToFirst") && query.ContainsKey("limitToLast"))
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "limitToFirst and limitToLast can't both be set");
        }

        if (query.ContainsKey("equalTo") && (query.ContainsKey("startAt") || query.ContainsKey("endAt")))
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "equalTo cannot be combined with startAt or endAt");
        }

        var (hasStart, start) = Bound(query, "startAt", orderBy);
        var (hasEnd, end) = Bound(query, "endAt", orderBy);
        var (hasEqual, equal) = Bound(query, "equalTo", orderBy);
        return new Query(orderBy)
        {
            HasStartAt = hasStart || hasEqual,
            StartAt = hasEqual ? equal : start,
            HasEndAt = hasEnd || hasEqual,
            EndAt = hasEqual ? equal : end,
            LimitToFirst = Limit(query, "limitToFirst"),
            LimitToLast = Limit(query, "limitToLast"),
        };
    }

    private static (bool, JsonNode?) Bound(IQueryCollection query, string name, string orderBy)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return (false, null);
        }

        JsonNode? value;
        try
        {
            value = JsonNode.Parse(text.ToString());
            if (value is JsonValue primitive && primitive.GetValueKind() == JsonValueKind.String)
            {
                // A lone surrogate escape parses but fails when read: read it now (a 400, not a 500 later).
                value = JsonValue.Create(primitive.GetValue<string>());
            }
            else if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number && !double.IsFinite(JsonTree.AsDouble(number)))
            {
                throw new RtdbException(HttpStatusCode.BadRequest, "Constraint index field must be a JSON primitive");
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "Constraint index field must be a JSON primitive");
        }

        if (value is JsonObject or JsonArray)
        {
            throw new RtdbException(HttpStatusCode.BadRequest, $"Constraint index field must be a JSON primitive");
        }

        if (orderBy == "$key" && (value is null || value.GetValueKind() != JsonValueKind.String))
        {
            throw new RtdbException(HttpStatusCode.BadRequest, "Query by key can only accept string values for startAt, endAt and equalTo");
        }

        return (true, value);
    }

    private static int? Limit(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return null;
        }

        if (!int.TryParse(text.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit <= 0)
        {
            throw new RtdbException(HttpStatusCode.BadRequest, $"{name} must be a positive integer");
        }

        return limit;
    }

    /// <summary>Applies the query to the children of <paramref name="node"/>; a leaf or null is returned as is.</summary>
    public JsonNode? Apply(JsonNode? node)
    {
        if (node is not JsonObject obj)
        {
            return node;
        }

        var items = new List<(string Key, JsonNode? Child, JsonNode? SortValue)>(obj.Count);
        foreach (var (key, child) in obj)
        {
            var sortValue = OrderBy switch
            {
                "$key" => JsonValue.Create(key),
                "$value" => child,
                "$priority" => null,
                _ => JsonTree.GetAt(child, ChildPath),
            };
            items.Add((key, child, sortValue));
        }

        var byKey = OrderBy == "$key";
        items.Sort((a, b) =>
        {
            if (byKey)
            {
                return Keys.Compare(a.Key, b.Key);
            }

            var byValue = CompareValues(a.SortValue, b.SortValue);
            return byValue != 0 ? byValue : Keys.Compare(a.Key, b.Key);
        });

        IEnumerable<(string Key, JsonNode? Child, JsonNode? SortValue)> selected = items;
        if (HasStartAt)
        {
            selected = selected.Where(item => Compare(item, StartAt, byKey) >= 0);
        }

        if (HasEndAt)
        {
            selected = selected.Where(item => Compare(item, EndAt, byKey) <= 0);
        }

        var list = selected.ToList();
        if (LimitToFirst is { } first && list.Count > first)
        {
            list = list.GetRange(0, first);
        }

        if (LimitToLast is { } last && list.Count > last)
        {
            list = list.GetRange(list.Count - last, last);
        }

        var result = new JsonObject();
        foreach (var item in list)
        {
            result[item.Key] = item.Child?.DeepClone();
        }

        return result.Count == 0 ? null : result;
    }

    private static int Compare((string Key, JsonNode? Child, JsonNode? SortValue) item, JsonNode? bound, bool byKey) =>
        byKey ? Keys.Compare(item.Key, bound!.GetValue<string>()) : CompareValues(item.SortValue, bound);

    /// <summary>null &lt; false &lt; true &lt; numbers &lt; strings &lt; objects.</summary>
    public static int CompareValues(JsonNode? a, JsonNode? b)
    {
        var rank = Rank(a).CompareTo(Rank(b));
        if (rank != 0)
        {
            return rank;
        }

        return Rank(a) switch
        {
            3 => JsonTree.AsDouble(a!).CompareTo(JsonTree.AsDouble(b!)),
            4 => string.CompareOrdinal(a!.GetValue<string>(), b!.GetValue<string>()),
            _ => 0,
        };
    }

    private static int Rank(JsonNode? node) => node switch
    {
        null => 0,
        JsonObject or JsonArray => 5,
        _ => node.GetValueKind() switch
        {
            JsonValueKind.False => 1,
            JsonValueKind.True => 2,
            JsonValueKind.Number => 3,
            JsonValueKind.String => 4,
            _ => 0,
        },
    };
}
