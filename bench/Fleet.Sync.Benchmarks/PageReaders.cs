using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Fleet.MySql;
using Fleet.TestUtilities;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// The two ways one page is fetched: through the worker (HTTP, token, cursor, watermark check, the page query,
/// the client-cursor upsert, JSON) and the baseline, the worker's own page SQL issued directly through Fleet.MySql
/// with every column read. Both return the number of changes in the page.
/// </summary>
internal static class PageReaders
{
    /// <summary>An account present in every seeded log (ids divisible by 10 are accounts): its own row is in its scope branch.</summary>
    public const long AccountId = 10;

    public static Func<long, int, CancellationToken, Task<int>> Worker(HttpClient http, SyncCursor cursors, int pageSize)
    {
        var authorization = new AuthenticationHeaderValue("Bearer", Hs256TestTokens.Create(AccountId, TimeSpan.FromHours(2)));
        return async (after, caller, cancellationToken) =>
        {
            var uri = string.Create(CultureInfo.InvariantCulture, $"/sync/v1/changes?cursor={cursors.Encode(after)}&limit={pageSize}&clientId=bench-{caller}");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = authorization;
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Pull answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            }

            // A client parses the page; so does the bench, and checks it is a full page with more to come.
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var document = await JsonDocument.ParseAsync(body, default, cancellationToken);
            var count = document.RootElement.GetProperty("changes").GetArrayLength();
            if (count != pageSize || !document.RootElement.GetProperty("hasMore").GetBoolean())
            {
                throw new InvalidOperationException($"Expected a full page of {pageSize} with more to come after {after}, got {count}.");
            }

            return count;
        };
    }

    public static Func<long, int, CancellationToken, Task<int>> Direct(string connectionString, int pageSize) =>
        async (after, _, cancellationToken) =>
        {
            // Opened per page from the pool, as the worker's DbConnectionFactory does.
            await using var connection = new MySqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new MySqlCommand(ChangeLog.PageSql, connection);
            command.Parameters.AddWithValue("@accountId", AccountId);
            command.Parameters.AddWithValue("@after", after);

            // The worker asks for one more than the page to learn hasMore.
            command.Parameters.AddWithValue("@take", pageSize + 1);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var count = 0;
            var values = new object[reader.FieldCount];
            while (await reader.ReadAsync(cancellationToken))
            {
                // Every column materialised, as the worker's Dapper mapping does.
                reader.GetValues(values);

                count++;
            }

            if (count != pageSize + 1)
            {
                throw new InvalidOperationException($"Expected {pageSize + 1} rows after {after}, got {count}.");
            }

            return pageSize;
        };
}
