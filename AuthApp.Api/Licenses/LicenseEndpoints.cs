using System.ComponentModel.DataAnnotations;
using AuthApp.Api.Errors;
using AuthApp.Api.Security;
using AuthApp.Domain.Licenses;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AuthApp.Api.Licenses;

public static class LicenseEndpoints
{
    /// <summary>The admin API that replaces the original's password-protected <c>/admin</c> page.</summary>
    public static IEndpointRouteBuilder MapLicenseEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin/licenses")
            .WithTags("Licenses")
            .RequireAuthorization(Policies.Admin);

        admin.MapPost("/", CreateAsync)
            .WithName("CreateLicenseKey")
            .WithSummary("Creates a signup license key (admin).");
        admin.MapGet("/", ListAsync)
            .WithName("ListLicenseKeys")
            .WithSummary("Lists every license key and who used it (admin).");
        admin.MapDelete("/{key}", RevokeAsync)
            .WithName("RevokeLicenseKey")
            .WithSummary("Revokes a license key so no new signup can use it (admin).");
        return app;
    }

    private static async Task<Created<LicenseKey>> CreateAsync(
        CreateLicenseRequest? request, LicenseKeys licenses, HttpContext context)
    {
        var license = await licenses.CreateAsync(context.User.Uid(), request?.Note, context.RequestAborted);
        return TypedResults.Created($"/admin/licenses/{license.Key}", license);
    }

    private static async Task<Ok<LicenseListResponse>> ListAsync(LicenseKeys licenses, CancellationToken cancellationToken) =>
        TypedResults.Ok(new LicenseListResponse(await licenses.ListAsync(cancellationToken)));

    private static async Task<Ok<MessageResponse>> RevokeAsync(string key, LicenseKeys licenses, CancellationToken cancellationToken)
    {
        if (!await licenses.RevokeAsync(key, cancellationToken))
        {
            throw AppError.NotFound(ProblemCodes.LicenseNotFound, "License key not found.");
        }

        return TypedResults.Ok(new MessageResponse("License key revoked"));
    }
}

public sealed record CreateLicenseRequest([property: StringLength(200)] string? Note);

public sealed record LicenseListResponse(IReadOnlyList<LicenseKey> Licenses);
