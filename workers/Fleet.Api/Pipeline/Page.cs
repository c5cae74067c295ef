namespace Fleet.Api.Pipeline;

/// <summary>One page of a list: the items and the cursor of the next page (null on the last page).</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    /// <summary>Builds a page from a query that fetched one row more than the page size to learn whether more exist.</summary>
    public static Page<T> From(IReadOnlyList<T> rows, int pageSize, Func<T, long> id) =>
        rows.Count > pageSize
            ? new Page<T>(rows.Take(pageSize).ToList(), PageCursor.Encode(id(rows[pageSize - 1])))
            : new Page<T>(rows, null);
}
