using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Fleet.LoadRunner;

/// <summary>
/// Sync-push steps (workers/Fleet.Sync): each request is one <c>POST /sync/v1/mutations</c> batch of
/// <see cref="StepDefinition.BatchSize"/> <c>post.create</c> mutations from one sync client, whose seq grows by one
/// per mutation across its batches. A client is used by one request at a time (a pool hands idle ones out and makes
/// new ones when all are busy), so its seqs never race or leave gaps.
/// </summary>
/// <remarks>
/// Success: 200 and every mutation <c>applied</c>. Error kinds: <c>http-&lt;status&gt;</c> and the socket kinds of HTTP
/// steps, <c>timeout</c>, and <c>sync-&lt;status&gt;</c> for the first mutation that was not applied
/// (<c>retry</c>, <c>rejected</c>, <c>gap</c>, <c>skipped</c>, <c>conflict</c>). After a 200 the client continues from
/// the answer's <c>lastSeq</c>; after anything else it is dropped (whether its batch was applied is unknown) and a
/// fresh client takes its place.
/// </remarks>
public sealed class SyncPushClients
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly HttpClient _http;
    private readonly ScenarioData _data;
    private readonly string _runTag;
    private readonly bool _anySuccess;
    private readonly ConcurrentBag<SyncClientState> _idle = [];
    private long _created;

    /// <summary>
    /// Creates the pool; <paramref name="http"/> carries the base address, <paramref name="data"/> the setup's
    /// accounts and topics. With <paramref name="anySuccess"/> (baselines) any 2xx counts and the body is not read.
    /// </summary>
    public SyncPushClients(HttpClient http, ScenarioData data, string runId, bool anySuccess = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(runId);
        if (data.Users.Count == 0 || data.Topics.Count == 0)
        {
            throw new ArgumentException("Sync pushes need setup users and topics.", nameof(data));
        }

        _http = http;
        _data = data;
        // Client ids are 1-64 letters, digits, '-' or '_'.
        var tag = new string([.. runId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')]);
        _runTag = tag.Length > 40 ? tag[^40..] : tag;
        _anySuccess = anySuccess;
    }

    /// <summary>Sync clients created so far (one more each time all were busy or one was dropped).</summary>
    public long ClientsCreated => Interlocked.Read(ref _created);

    /// <summary>Sends one batch for <paramref name="step"/>; never throws for a failed request, except on cancellation.</summary>
    public async Task<RequestOutcome> SendAsync(StepDefinition step, long index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!_idle.TryTake(out var client))
        {
            var n = Interlocked.Increment(ref _created);
            client = new SyncClientState(string.Create(Inv, $"lr-{_runTag}-{n}"), _data.Users[(int)(n % _data.Users.Count)].Token);
        }

        var body = Body(step, client, index);
        using var request = new HttpRequestMessage(HttpMethod.Post, step.Path) { Content = new ReadOnlyMemoryContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", client.Token);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken);
            var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (_anySuccess || status != 200)
            {
                var ok = status is >= 200 and < 300;
                if (ok)
                {
                    client.NextSeq += step.BatchSize;
                    _idle.Add(client);
                }

                return new RequestOutcome(step.Name, ok ? null : "http-" + status.ToString(Inv), answer.Length, body.Length);
            }

            var (lastSeq, firstFailure) = ReadAnswer(answer);
            client.NextSeq = lastSeq + 1;
            _idle.Add(client);
            return new RequestOutcome(step.Name, firstFailure is null ? null : "sync-" + firstFailure, answer.Length, body.Length);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new RequestOutcome(step.Name, "timeout", 0, body.Length);
        }
        catch (HttpRequestException ex)
        {
            return new RequestOutcome(step.Name, HttpScenario.Classify(ex), 0, body.Length);
        }
        catch (IOException)
        {
            return new RequestOutcome(step.Name, "socket", 0, body.Length);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new RequestOutcome(step.Name, "sync-bad-answer", 0, body.Length);
        }
    }

    private ReadOnlyMemory<byte> Body(StepDefinition step, SyncClientState client, long index)
    {
        var writer = new ArrayBufferWriter<byte>(256 * step.BatchSize);
        using (var json = new Utf8JsonWriter(writer))
        {
            json.WriteStartObject();
            json.WriteString("clientId", client.Id);
            json.WriteStartArray("mutations");
            for (var i = 0; i < step.BatchSize; i++)
            {
                json.WriteStartObject();
                json.WriteNumber("seq", client.NextSeq + i);
                json.WriteString("name", "post.create");
                json.WriteStartObject("args");
                json.WriteNumber("topicId", _data.Topics[Random.Shared.Next(_data.Topics.Count)]);
                json.WriteString("body", (step.Body ?? "Offline post {unique}, written on a phone without network and pushed later.")
                    .Replace("{unique}", string.Create(Inv, $"{_runTag}-{index}-{i}"), StringComparison.Ordinal));
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return writer.WrittenMemory;
    }

    private static (long LastSeq, string? FirstFailure) ReadAnswer(byte[] answer)
    {
        using var document = JsonDocument.Parse(answer);
        var root = document.RootElement;
        var failure = root.GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("status").GetString())
            .FirstOrDefault(s => s != "applied");
        return (root.GetProperty("lastSeq").GetInt64(), failure);
    }
}
