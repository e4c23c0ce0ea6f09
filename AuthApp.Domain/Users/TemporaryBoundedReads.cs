using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AuthApp.Firebase.Database;

namespace AuthApp.Domain.Users;

// Stand-in for the bounded reads of IFirebaseDatabase until they land; instance members win over these.
public static class TemporaryBoundedReads
{
    public static async Task<JsonNode?> GetAsync(this IFirebaseDatabase database, string path, DatabaseQuery? query, int maxBytes, CancellationToken cancellationToken = default)
    {
        var node = await database.GetAsync(path, query, cancellationToken);
        return node is not null && JsonSerializer.SerializeToUtf8Bytes(node).Length > maxBytes
            ? throw new DatabaseException(DatabaseErrorKind.ResponseTooLarge, "too large") { Path = path }
            : node;
    }

    public static async Task<JsonNode?> GetShallowAsync(this IFirebaseDatabase database, string path, int maxBytes, CancellationToken cancellationToken = default)
    {
        var node = await database.GetShallowAsync(path, cancellationToken);
        return node is not null && JsonSerializer.SerializeToUtf8Bytes(node).Length > maxBytes
            ? throw new DatabaseException(DatabaseErrorKind.ResponseTooLarge, "too large") { Path = path }
            : node;
    }

    public static async IAsyncEnumerable<DatabaseChild> GetChildrenAsync(this IFirebaseDatabase database, string path, DatabaseQuery? query, int maxChildBytes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in JsonShapes.AsObject(await database.GetAsync(path, query, cancellationToken)) ?? [])
        {
            var tooLarge = value is not null && JsonSerializer.SerializeToUtf8Bytes(value).Length > maxChildBytes;
            yield return new DatabaseChild(key, tooLarge ? null : value, tooLarge);
        }
    }

    public static async IAsyncEnumerable<string> GetChildKeysStreamAsync(this IFirebaseDatabase database, string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (key, _) in JsonShapes.AsObject(await database.GetShallowAsync(path, cancellationToken)) ?? [])
        {
            yield return key;
        }
    }
}

public sealed record DatabaseChild(string Key, JsonNode? Value, bool TooLarge);
