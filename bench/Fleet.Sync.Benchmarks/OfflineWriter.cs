using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Fleet.Sync.Benchmarks;

/// <summary>
/// One offline-first client writing in its own topic: every batch alternates creating a post and editing one of
/// its earlier posts at the version it last saw, the edits the app makes offline. The same plan is either pushed
/// to the sync worker as one batch, or sent to the API directly one request per mutation (the online baseline).
/// </summary>
internal sealed class OfflineWriter(long accountId, string token, long topicId, string clientId)
{
    private readonly List<(long Id, int Version)> _posts = [];
    private readonly AuthenticationHeaderValue _authorization = new("Bearer", token);
    private long _nextSeq = 1;
    private int _nextEdit;
    private int _written;

    /// <summary>Pushes one batch to <c>POST /sync/v1/mutations</c>; every mutation must come back applied.</summary>
    public async Task PushBatchAsync(HttpClient sync, int size, CancellationToken cancellationToken)
    {
        var plan = Plan(size);
        var mutations = plan.Select((step, i) => step.EditIndex is { } index
            ? (object)new { seq = _nextSeq + i, name = "post.edit", args = new { postId = _posts[index].Id, body = step.Body, version = _posts[index].Version } }
            : new { seq = _nextSeq + i, name = "post.create", args = new { topicId, body = step.Body } }).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/sync/v1/mutations")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { clientId, mutations }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = _authorization;
        using var response = await sync.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Push answered {(int)response.StatusCode}: {text}");
        }

        using var document = JsonDocument.Parse(text);
        var results = document.RootElement.GetProperty("results");
        if (results.GetArrayLength() != plan.Count)
        {
            throw new InvalidOperationException($"Push applied {results.GetArrayLength()} of {plan.Count}: {text}");
        }

        for (var i = 0; i < plan.Count; i++)
        {
            var result = results[i];
            if (result.GetProperty("status").GetString() != "applied")
            {
                throw new InvalidOperationException($"Mutation {_nextSeq + i} of {clientId} was not applied: {result.GetRawText()}");
            }

            Record(plan[i], result.GetProperty("response"));
        }

        _nextSeq += plan.Count;
    }

    /// <summary>Sends the same kind of batch straight to the API over HTTP, one mutation after the other.</summary>
    public async Task ApplyDirectAsync(HttpClient api, int size, CancellationToken cancellationToken)
    {
        foreach (var step in Plan(size))
        {
            using var request = step.EditIndex is { } index
                ? new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/forum/posts/{_posts[index].Id.ToString(CultureInfo.InvariantCulture)}")
                {
                    Content = JsonContent.Create(new { body = step.Body, version = _posts[index].Version }),
                }
                : new HttpRequestMessage(HttpMethod.Post, $"/api/v1/forum/topics/{topicId.ToString(CultureInfo.InvariantCulture)}/posts")
                {
                    Content = JsonContent.Create(new { body = step.Body }),
                };
            request.Headers.Authorization = _authorization;
            if (step.EditIndex is null)
            {
                // What sync's forward carries for a create, so both sides pay the API's idempotency bookkeeping.
                request.Headers.Add("Idempotency-Key", $"direct:{accountId.ToString(CultureInfo.InvariantCulture)}:{clientId}:{_nextSeq.ToString(CultureInfo.InvariantCulture)}");
            }

            using var response = await api.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {text}");
            }

            using var document = JsonDocument.Parse(text);
            Record(step, document.RootElement);
            _nextSeq++;
        }
    }

    private List<PlannedMutation> Plan(int size)
    {
        var plan = new List<PlannedMutation>(size);
        for (var i = 0; i < size; i++)
        {
            _written++;
            var body = $"Written offline by {clientId}, change {_written.ToString(CultureInfo.InvariantCulture)}: the train left the tunnel and the app caught up.";

            // Edits only of posts that existed before this batch, each at most once per batch, so versions are known.
            var edit = i % 2 == 1 && _posts.Count >= size ? _nextEdit++ % _posts.Count : (int?)null;
            plan.Add(new PlannedMutation(edit, body));
        }

        return plan;
    }

    private void Record(PlannedMutation step, JsonElement post)
    {
        var saved = (post.GetProperty("id").GetInt64(), post.GetProperty("version").GetInt32());
        if (step.EditIndex is { } index)
        {
            _posts[index] = saved;
        }
        else
        {
            _posts.Add(saved);
        }
    }

    private sealed record PlannedMutation(int? EditIndex, string Body);
}
