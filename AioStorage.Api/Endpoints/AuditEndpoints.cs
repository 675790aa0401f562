using System.Security.Claims;
using AioStorage.Core.Audit;

namespace AioStorage.Api.Endpoints;

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", async (int? page, int? limit, ClaimsPrincipal user, AuditLog audit, CancellationToken ct) =>
            {
                var paging = Paging.From(page, limit);
                var events = await audit.ListAsync(user.UserId(), paging.Skip, paging.Limit, ct);
                return TypedResults.Ok(new PageResponse<AuditEventResponse>(
                    [.. events.Items.Select(AuditEventResponse.From)], paging.Page, paging.Limit, events.Total));
            })
            .WithTags("Audit")
            .WithName("ListAuditEvents")
            .WithSummary("The caller's own audit events, newest first");
        return api;
    }
}
