using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace AuthApp.Firebase.Database;

/// <summary>Typed reads and writes on top of <see cref="IFirebaseDatabase"/>'s JSON nodes.</summary>
public static class FirebaseDatabaseExtensions
{
    public static async Task<T?> GetAsync<T>(this IFirebaseDatabase database, string path, JsonTypeInfo<T> typeInfo, DatabaseQuery? query = null, CancellationToken cancellationToken = default)
    {
        var node = await database.GetAsync(path, query, cancellationToken).ConfigureAwait(false);
        return node is null ? default : node.Deserialize(typeInfo);
    }

    public static async Task<T?> GetAsync<T>(this IFirebaseDatabase database, string path, JsonSerializerOptions? options = null, DatabaseQuery? query = null, CancellationToken cancellationToken = default)
    {
        var node = await database.GetAsync(path, query, cancellationToken).ConfigureAwait(false);
        return node is null ? default : node.Deserialize<T>(options);
    }

    public static Task SetAsync<T>(this IFirebaseDatabase database, string path, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        database.SetAsync(path, JsonSerializer.SerializeToNode(value, typeInfo), cancellationToken);

    public static Task SetAsync<T>(this IFirebaseDatabase database, string path, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default) =>
        database.SetAsync(path, JsonSerializer.SerializeToNode(value, options), cancellationToken);

    public static Task<string> PushAsync<T>(this IFirebaseDatabase database, string path, T value, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default) =>
        database.PushAsync(path, JsonSerializer.SerializeToNode(value, typeInfo), cancellationToken);

    public static Task<string> PushAsync<T>(this IFirebaseDatabase database, string path, T value, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default) =>
        database.PushAsync(path, JsonSerializer.SerializeToNode(value, options), cancellationToken);

    /// <summary>Reads the child keys under <paramref name="path"/> (a shallow read); empty when nothing is there.</summary>
    public static async Task<IReadOnlyList<string>> GetChildKeysAsync(this IFirebaseDatabase database, string path, CancellationToken cancellationToken = default)
    {
        var node = await database.GetShallowAsync(path, cancellationToken).ConfigureAwait(false);
        return node switch
        {
            JsonObject obj => [.. obj.Select(pair => pair.Key)],
            JsonArray array => [.. Enumerable.Range(0, array.Count).Where(i => array[i] is not null).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            _ => [],
        };
    }
}
