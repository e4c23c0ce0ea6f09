using System.ComponentModel.DataAnnotations;
using AuthApp.Firebase.Database;

namespace AuthApp.Api.Users;

/// <summary>A venue, device or sensor name: it becomes a database key, so the database's key rules apply.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class DatabaseKeyAttribute : ValidationAttribute
{
    public DatabaseKeyAttribute()
        : base("Field '{0}' must be a non-empty name without . # $ [ ] / or control characters, at most 768 bytes.")
    {
    }

    public override bool IsValid(object? value) => value switch
    {
        null => true, // [Required] reports absence.
        string key => DatabasePath.IsValidKey(key) && !VenueFields.IsReserved(key),
        _ => false,
    };
}

/// <summary>A device state: <c>on</c>, <c>off</c> or a level <c>1</c>..<c>5</c>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class DeviceValueAttribute : ValidationAttribute
{
    public static readonly IReadOnlyList<string> Allowed = ["on", "off", "1", "2", "3", "4", "5"];

    public DeviceValueAttribute()
        : base("Field '{0}' must be one of on, off, 1, 2, 3, 4, 5.")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string text && Allowed.Contains(text));
}
