using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AuthApp.Api.Errors;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Licenses;

/// <summary>
/// Signup license keys (the original's <c>/admin</c> page and JSON file), kept in the Realtime Database
/// under <c>licenseKeys/{key}</c>: <c>{createdAt, createdBy, revoked, usedBy, usedAt}</c>. A key admits
/// one account; claiming it is a database transaction, so two signups cannot both use it.
/// </summary>
public sealed class LicenseService(IFirebaseDatabase database, TimeProvider clock)
{
    private const string Root = "licenseKeys";

    public async Task<LicenseKey> CreateAsync(string createdBy, string? note, CancellationToken cancellationToken)
    {
        var key = NewKey();
        var record = new JsonObject
        {
            ["createdAt"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            ["createdBy"] = createdBy,
            ["revoked"] = false,
        };
        if (!string.IsNullOrWhiteSpace(note))
        {
            record["note"] = note;
        }

        await database.SetAsync($"{Root}/{key}", record, cancellationToken);
        return ToLicense(key, record);
    }

    public async Task<IReadOnlyList<LicenseKey>> ListAsync(CancellationToken cancellationToken)
    {
        var all = await database.GetAsync(Root, cancellationToken: cancellationToken) as JsonObject;
        return all is null
            ? []
            : all.Where(entry => entry.Value is JsonObject)
                .Select(entry => ToLicense(entry.Key, (JsonObject)entry.Value!))
                .OrderBy(license => license.CreatedAt)
                .ToList();
    }

    public async Task RevokeAsync(string key, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key) || await database.GetAsync($"{Root}/{key}", cancellationToken: cancellationToken) is not JsonObject)
        {
            throw AppError.NotFound("license_not_found", "License key not found.");
        }

        await database.UpdateAsync($"{Root}/{key}", new Dictionary<string, JsonNode?> { ["revoked"] = true }, cancellationToken);
    }

    /// <summary>Marks <paramref name="key"/> as used by <paramref name="uid"/>; false when it is unknown, revoked or used.</summary>
    public async Task<bool> TryClaimAsync(string key, string uid, CancellationToken cancellationToken)
    {
        if (!DatabasePath.IsValidKey(key))
        {
            return false;
        }

        var claimed = false;
        await database.TransactAsync($"{Root}/{key}", current =>
        {
            claimed = false;
            if (current is not JsonObject record || record["revoked"]?.GetValue<bool>() == true || record["usedBy"] is not null)
            {
                return current?.DeepClone();
            }

            var updated = (JsonObject)record.DeepClone();
            updated["usedBy"] = uid;
            updated["usedAt"] = clock.GetUtcNow().ToUnixTimeMilliseconds();
            claimed = true;
            return updated;
        }, cancellationToken: cancellationToken);
        return claimed;
    }

    /// <summary>Whether <paramref name="key"/> could be claimed now (checked before creating an account).</summary>
    public async Task<bool> IsAvailableAsync(string key, CancellationToken cancellationToken) =>
        DatabasePath.IsValidKey(key)
        && await database.GetAsync($"{Root}/{key}", cancellationToken: cancellationToken) is JsonObject record
        && record["revoked"]?.GetValue<bool>() != true
        && record["usedBy"] is null;

    /// <summary>Gives <paramref name="key"/> back after a signup that claimed it failed.</summary>
    public Task ReleaseAsync(string key, CancellationToken cancellationToken) =>
        database.UpdateAsync($"{Root}/{key}", new Dictionary<string, JsonNode?> { ["usedBy"] = null, ["usedAt"] = null }, cancellationToken);

    // 128 random bits, URL- and key-safe: "AK-" + 26 base32 characters.
    private static string NewKey() => "AK-" + Base32(RandomNumberGenerator.GetBytes(16));

    private static string Base32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        for (int bit = 0, i = 0; i < chars.Length; i++, bit += 5)
        {
            var index = bit / 8;
            var value = (bytes[index] << 8 | (index + 1 < bytes.Length ? bytes[index + 1] : 0)) >> (11 - bit % 8) & 31;
            chars[i] = alphabet[value];
        }

        return new string(chars);
    }

    private static LicenseKey ToLicense(string key, JsonObject record) => new(
        key,
        DateTimeOffset.FromUnixTimeMilliseconds(record["createdAt"]?.GetValue<long>() ?? 0),
        (string?)record["createdBy"],
        (string?)record["note"],
        record["revoked"]?.GetValue<bool>() == true,
        (string?)record["usedBy"]);
}

public sealed record LicenseKey(string Key, DateTimeOffset CreatedAt, string? CreatedBy, string? Note, bool Revoked, string? UsedBy);
