using System.Security.Claims;
using AioStorage.Api.Http;
using AioStorage.Core.Files;
using AioStorage.Core.Metadata;

namespace AioStorage.Api.Endpoints;

public sealed record TrashItemResponse(string Id, string Type, string Name, string? ParentId, long? Size, string? MimeType, DateTimeOffset DeletedAt, DateTimeOffset UpdatedAt)
{
    public static TrashItemResponse From(NodeRecord node) => new(
        node.Id,
        node is FileRecord ? "file" : "folder",
        node.Name,
        node.ParentId,
        (node as FileRecord)?.Size,
        (node as FileRecord)?.MimeType,
        node.DeletedAt ?? node.UpdatedAt,
        node.UpdatedAt);
}

public static class TrashEndpoints
{
    public static RouteGroupBuilder MapTrashEndpoints(this RouteGroupBuilder api)
    {
        var trash = api.MapGroup("/trash").WithTags("Trash");

        trash.MapGet("/", async (int? page, int? limit, ClaimsPrincipal user, TrashService service, CancellationToken ct) =>
            {
                var paging = Paging.From(page, limit);
                var items = await service.ListAsync(user.UserId(), paging.Skip, paging.Limit, ct);
                return TypedResults.Ok(new PageResponse<TrashItemResponse>([.. items.Items.Select(TrashItemResponse.From)], paging.Page, paging.Limit, items.Total));
            })
            .WithName("ListTrash")
            .WithSummary("What is in the trash, most recently deleted first (a folder stands for everything it held)");

        trash.MapPost("/{id}/restore", async (string id, ClaimsPrincipal user, TrashService service, MediaUrls media, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(NodeResponses.From(await service.RestoreAsync(user.UserId(), id, http.Client(), ct), media)))
            .WithName("RestoreFromTrash")
            .WithSummary("Put an item back where it was (the top if that folder is gone; a free name if the old one is taken)")
            .ProducesProblem(StatusCodes.Status404NotFound);

        trash.MapDelete("/{id}", async (string id, ClaimsPrincipal user, TrashService service, HttpContext http, CancellationToken ct) =>
            {
                await service.PurgeAsync(user.UserId(), id, http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("PurgeFromTrash")
            .WithSummary("Delete an item (and all it held) for good, freeing its storage")
            .ProducesProblem(StatusCodes.Status404NotFound);

        trash.MapDelete("/", async (ClaimsPrincipal user, TrashService service, HttpContext http, CancellationToken ct) =>
            {
                await service.EmptyAsync(user.UserId(), http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("EmptyTrash")
            .WithSummary("Delete everything in the trash for good");

        return api;
    }
}
