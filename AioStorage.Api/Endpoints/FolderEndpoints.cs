using System.Security.Claims;
using System.Text.Json.Nodes;
using AioStorage.Api.Http;
using AioStorage.Core.Accounts;
using AioStorage.Core.Folders;

namespace AioStorage.Api.Endpoints;

public sealed record CreateFolderRequest(string? Name, string? ParentId);

public static class FolderEndpoints
{
    public static RouteGroupBuilder MapFolderEndpoints(this RouteGroupBuilder api)
    {
        var folders = api.MapGroup("/folders").WithTags("Folders");

        folders.MapPost("/", async (CreateFolderRequest request, ClaimsPrincipal user, FolderService service, HttpContext http, CancellationToken ct) =>
            {
                var folder = await service.CreateAsync(user.UserId(), request.Name, request.ParentId, http.Client(), ct);
                return TypedResults.Created($"/api/v1/folders/{folder.Id}", FolderResponse.From(folder));
            })
            .WithName("CreateFolder")
            .WithSummary("Create a folder (at the root without parentId)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        folders.MapGet("/{id}", async (string id, int? page, int? limit, string? sort, string? order,
                ClaimsPrincipal user, FolderService service, AccountService accounts, MediaUrls media, CancellationToken ct) =>
            {
                var paging = Paging.From(page, limit);
                var view = await service.GetAsync(user.UserId(), id, paging.ToNodeQuery(sort, order), ct);
                FolderResponse folder;
                if (view.Folder is null)
                {
                    // The root exists as long as the account does.
                    var owner = await accounts.GetAsync(user.UserId(), ct);
                    folder = new FolderResponse(FolderService.RootId, string.Empty, null, owner.CreatedAt, owner.CreatedAt);
                }
                else
                {
                    folder = FolderResponse.From(view.Folder);
                }
                return TypedResults.Ok(new FolderListingResponse(
                    folder,
                    [.. view.Ancestors.Select(FolderResponse.From)],
                    [.. view.Children.Items.Select(node => NodeResponses.From(node, media))],
                    paging.Page,
                    paging.Limit,
                    view.Children.Total));
            })
            .WithName("GetFolder")
            .WithSummary("A folder (or \"root\") with its ancestors and one page of its children, folders first")
            .WithDescription("sort: name | size | createdAt | updatedAt; order: asc | desc; page from 1; limit 1-200 (default 50).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        folders.MapPatch("/{id}", async (string id, JsonObject body, ClaimsPrincipal user, FolderService service, HttpContext http, CancellationToken ct) =>
            {
                var name = JsonBody.OptionalString(body, "name");
                // parentId present and null means "move to the root"; absent means "stay".
                var moveTo = body.ContainsKey("parentId")
                    ? JsonBody.OptionalString(body, "parentId") ?? FolderService.RootId
                    : null;
                var folder = await service.UpdateAsync(user.UserId(), id, name, moveTo, http.Client(), ct);
                return TypedResults.Ok(FolderResponse.From(folder));
            })
            .WithName("UpdateFolder")
            .WithSummary("Rename and/or move a folder (parentId null or \"root\" moves it to the top)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        folders.MapDelete("/{id}", async (string id, ClaimsPrincipal user, FolderService service, HttpContext http, CancellationToken ct) =>
            {
                await service.DeleteAsync(user.UserId(), id, http.Client(), ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteFolder")
            .WithSummary("Move a folder and everything in it to the trash")
            .ProducesProblem(StatusCodes.Status404NotFound);

        return api;
    }
}
