using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AioStorage.Api;

/// <summary>Title, description and the bearer scheme, so the interactive reference can send a token.</summary>
internal sealed class AioOpenApiDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "AIO Storage API";
        document.Info.Description = "Files, folders, transfers, sharing and media of AIO Storage. All routes are under /api/v1; "
            + "sign in with POST /api/v1/auth/login and send the token as `Authorization: Bearer <token>`. Errors are RFC 9457 problem details.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The token from /api/v1/auth/login or /api/v1/auth/register.",
        };
        document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
        return Task.CompletedTask;
    }
}
