using System.ComponentModel.DataAnnotations;

namespace AuthApp.OptionsValidation;

/// <summary>
/// <see cref="RangeAttribute"/> for <see cref="TimeSpan"/> bounds, parsed (invariant culture) when the attribute is
/// made. <see cref="RangeAttribute"/> parses its bounds on first use instead, and two threads validating at once can
/// see them half-parsed and throw <see cref="InvalidCastException"/> (dotnet/runtime#1143): DataAnnotations keeps one
/// attribute instance per property for the whole process, so two hosts starting together (tests do) or two options
/// validated on different threads could fail. This source file is compiled into each project that validates options.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
internal sealed class TimeSpanRangeAttribute : RangeAttribute
{
    public TimeSpanRangeAttribute(string minimum, string maximum)
        : base(typeof(TimeSpan), minimum, maximum)
    {
        ParseLimitsInInvariantCulture = true;
        ConvertValueInInvariantCulture = true;
        // The first validation parses the bounds: do it here, on the one thread that makes the attribute.
        IsValid(TimeSpan.Zero);
    }
}
