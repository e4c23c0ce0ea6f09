using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AuthApp.Api.RateLimiting;

/// <summary>Limits for the endpoints attackers hammer; counted in Redis, so they hold across replicas.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary><c>POST /auth/login</c> per client address.</summary>
    [ValidateObjectMembers]
    public WindowLimit Login { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) };

    /// <summary><c>POST /auth/login</c> per account (normalized email), whatever the address.</summary>
    [ValidateObjectMembers]
    public WindowLimit LoginPerAccount { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(1) };

    [ValidateObjectMembers]
    public WindowLimit Signup { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(10) };

    [ValidateObjectMembers]
    public WindowLimit Refresh { get; set; } = new() { PermitLimit = 30, Window = TimeSpan.FromMinutes(1) };

    /// <summary>Password-reset and verification e-mails per client address.</summary>
    [ValidateObjectMembers]
    public WindowLimit AccountEmails { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };
}

/// <summary>Checks every limit, nested ones included (plain data-annotation validation stops at the top level).</summary>
[OptionsValidator]
public sealed partial class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>;

public sealed class WindowLimit
{
    [Range(1, 100_000)]
    public int PermitLimit { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Window { get; set; }
}

/// <summary>Which proxies may tell the API the client's address through <c>X-Forwarded-For</c>.</summary>
public sealed class ReverseProxyOptions
{
    public const string SectionName = "ReverseProxy";

    /// <summary>Addresses of trusted proxies. Empty (the default): forwarded headers are ignored.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Trusted proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> TrustedNetworks { get; set; } = [];
}
