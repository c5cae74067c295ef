using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Fleet.LoadRunner;

/// <summary>Creates a scenario's accounts, topics and posts through the public API (workers/Fleet.Api).</summary>
public static class ApiSetup
{
    /// <summary>Registers and logs in the accounts, then creates topics and posts as the first account.</summary>
    public static async Task<ScenarioData> CreateAsync(HttpClient http, SetupDefinition setup, string runId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(setup);
        var users = new List<(string, string, string)>();
        for (var i = 0; i < setup.Users; i++)
        {
            var email = string.Create(CultureInfo.InvariantCulture, $"load-{runId}-{i}@example.com");
            const string Password = "load runner password 1";
            await PostAsync(http, "/api/v1/accounts", new { email, password = Password, displayName = "Load " + i }, null, cancellationToken);
            var token = await PostAsync(http, "/api/v1/tokens", new { email, password = Password }, null, cancellationToken);
            users.Add((email, Password, token.GetProperty("accessToken").GetString()!));
        }

        var topics = new List<long>();
        var posts = new List<long>();
        if (setup.Topics > 0 && users.Count == 0)
        {
            throw new InvalidDataException("The setup needs at least one user to create topics.");
        }

        for (var t = 0; t < setup.Topics; t++)
        {
            var topic = await PostAsync(http, "/api/v1/forum/topics", new { title = $"Load topic {t} of {runId}" }, users[0].Item3, cancellationToken);
            var topicId = topic.GetProperty("id").GetInt64();
            topics.Add(topicId);
            for (var p = 0; p < setup.PostsPerTopic; p++)
            {
                var post = await PostAsync(http, $"/api/v1/forum/topics/{topicId}/posts",
                    new { body = $"Post {p} of a load test: about one ordinary sentence of text, like a forum reply." }, users[t % users.Count].Item3, cancellationToken);
                posts.Add(post.GetProperty("id").GetInt64());
            }
        }

        return new ScenarioData(users, topics, posts);
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path, object body, string? token, CancellationToken cancellationToken)
    {
        // HAProxy answers 503 itself for a moment when every server of a backend is out of rotation (seen right after
        // the log-in load); the request never reached a worker, so sending it again is safe. Bounded: 5 attempts.
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return JsonDocument.Parse(text).RootElement.Clone();
            }

            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 5)
            {
                throw new HttpRequestException($"Setup {path} answered {(int)response.StatusCode}: {text}");
            }

            await Task.Delay(TimeSpan.FromSeconds(attempt), cancellationToken);
        }
    }
}
