using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AuthApp.Firebase.Database;

/// <summary>
/// A Realtime Database REST query: an ordering plus optional filters and a limit.
/// Build one with a factory and refine it with <c>with</c>:
/// <code>DatabaseQuery.OrderByChild("email") with { EqualTo = "a@example.com", LimitToFirst = 1 }</code>
/// Values are JSON-encoded into the query string as the database expects (<c>orderBy="email"&amp;equalTo="a@example.com"</c>).
/// </summary>
public sealed record DatabaseQuery
{
    public const string KeyOrder = "$key";
    public const string ValueOrder = "$value";

    private DatabaseQuery(string orderBy) => OrderBy = orderBy;

    /// <summary><c>$key</c>, <c>$value</c> or a child path such as <c>email</c> or <c>profile/age</c>.</summary>
    public string OrderBy { get; }

    public JsonNode? EqualTo { get; init; }

    public JsonNode? StartAt { get; init; }

    public JsonNode? EndAt { get; init; }

    public int? LimitToFirst { get; init; }

    public int? LimitToLast { get; init; }

    /// <summary>Orders children by key (no index needed).</summary>
    public static DatabaseQuery OrderByKey() => new(KeyOrder);

    /// <summary>Orders children by their value (the rules need <c>".indexOn": ".value"</c>).</summary>
    public static DatabaseQuery OrderByValue() => new(ValueOrder);

    /// <summary>Orders children by a child path (the rules need <c>".indexOn": "path"</c>).</summary>
    public static DatabaseQuery OrderByChild(string childPath)
    {
        var segments = DatabasePath.Split(childPath, nameof(childPath));
        if (segments.Length == 0)
        {
            throw new ArgumentException("A child path is required; use OrderByValue() to order by the value itself.", nameof(childPath));
        }

        return new(string.Join('/', segments));
    }

    internal void AppendTo(StringBuilder query)
    {
        if (LimitToFirst is not null && LimitToLast is not null)
        {
            throw new ArgumentException("A query may set LimitToFirst or LimitToLast, not both.");
        }

        if (LimitToFirst is <= 0 || LimitToLast is <= 0)
        {
            throw new ArgumentException("Query limits must be positive.");
        }

        if (EqualTo is not null && (StartAt is not null || EndAt is not null))
        {
            throw new ArgumentException("A query may set EqualTo or StartAt/EndAt, not both.");
        }

        if (OrderBy == KeyOrder)
        {
            foreach (var bound in (ReadOnlySpan<JsonNode?>)[EqualTo, StartAt, EndAt])
            {
                if (bound is not null && bound.GetValueKind() != JsonValueKind.String)
                {
                    throw new ArgumentException("Queries ordered by $key take string bounds.");
                }
            }
        }

        Append(query, "orderBy", JsonSerializer.Serialize(OrderBy));
        AppendJson(query, "equalTo", EqualTo);
        AppendJson(query, "startAt", StartAt);
        AppendJson(query, "endAt", EndAt);
        if (LimitToFirst is { } first)
        {
            Append(query, "limitToFirst", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (LimitToLast is { } last)
        {
            Append(query, "limitToLast", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static void AppendJson(StringBuilder query, string name, JsonNode? value)
    {
        if (value is not null)
        {
            Append(query, name, value.ToJsonString());
        }
    }

    internal static void Append(StringBuilder query, string name, string value)
    {
        query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
    }
}
