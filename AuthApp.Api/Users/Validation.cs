using System.ComponentModel.DataAnnotations;
using AuthApp.Domain.Users;

namespace AuthApp.Api.Users;

/// <summary>A venue, device or sensor name (<see cref="Names"/>): it becomes a database key.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class DatabaseKeyAttribute : ValidationAttribute
{
    public DatabaseKeyAttribute()
        : base("Field '{0}' must be " + Names.Rule + ".")
    {
    }

    public override bool IsValid(object? value) => value switch
    {
        null => true, // [Required] reports absence.
        string name => Names.IsValid(name),
        _ => false,
    };
}

/// <summary>A device state (<see cref="DeviceValues"/>): <c>on</c>, <c>off</c> or a level <c>1</c>..<c>5</c>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter | AttributeTargets.Field)]
public sealed class DeviceValueAttribute : ValidationAttribute
{
    public DeviceValueAttribute()
        : base("Field '{0}' must be one of on, off, 1, 2, 3, 4, 5.")
    {
    }

    public override bool IsValid(object? value) => value is null || (value is string text && DeviceValues.IsAllowed(text));
}
