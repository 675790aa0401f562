using AioStorage.Core.Errors;
using AioStorage.Core.Metadata;

namespace AioStorage.Api.Endpoints;

/// <summary><c>?page&amp;limit&amp;sort&amp;order</c> as every listing reads them: page from 1, limit 1-200 (default 50).</summary>
public sealed record Paging(int Page, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public int Skip => (Page - 1) * Limit;

    public static Paging From(int? page, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
        {
            errors["page"] = ["page starts at 1."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit is between 1 and {MaxLimit}."];
        }

        return errors.Count > 0 ? throw new ValidationFailedException(errors) : new Paging(page ?? 1, limit ?? DefaultLimit);
    }

    public NodeListQuery ToNodeQuery(string? sort, string? order)
    {
        var field = sort?.ToLowerInvariant() switch
        {
            null or "" or "name" => NodeSortField.Name,
            "size" => NodeSortField.Size,
            "createdat" or "created" => NodeSortField.CreatedAt,
            "updatedat" or "updated" or "date" => NodeSortField.UpdatedAt,
            _ => throw ValidationFailedException.For("sort", "sort is one of name, size, createdAt, updatedAt."),
        };
        var descending = order?.ToLowerInvariant() switch
        {
            null or "" or "asc" => false,
            "desc" => true,
            _ => throw ValidationFailedException.For("order", "order is asc or desc."),
        };
        return new NodeListQuery(Skip, Limit, field, descending);
    }
}
