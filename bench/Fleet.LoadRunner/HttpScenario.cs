using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Fleet.LoadRunner;

/// <summary>Turns a scenario's steps into the engine's request function: one weighted step per request, over HTTP.</summary>
public sealed class HttpScenario
{
    private readonly HttpClient _http;
    private readonly ScenarioData _data;
    private readonly StepDefinition[] _steps;
    private readonly double[] _cumulativeWeights;
    private readonly string _runId;
    private readonly bool _anySuccess;

    /// <summary>
    /// Creates the request function's state; <paramref name="http"/> carries the base address. With
    /// <paramref name="anySuccess"/> (baselines, which answer 200 to everything) any 2xx counts as success.
    /// </summary>
    public HttpScenario(HttpClient http, ScenarioDefinition scenario, ScenarioData data, string runId, bool anySuccess = false)
    {
        _anySuccess = anySuccess;
        ArgumentNullException.ThrowIfNull(scenario);
        _http = http;
        _data = data;
        _runId = runId;
        _steps = [.. scenario.Steps];
        _cumulativeWeights = new double[_steps.Length];
        var sum = 0.0;
        for (var i = 0; i < _steps.Length; i++)
        {
            sum += _steps[i].Weight;
            _cumulativeWeights[i] = sum;
        }
    }

    /// <summary>An HTTP client tuned for load: no connection cap, no proxy, no cookies, no redirects.</summary>
    public static HttpClient CreateClient(Uri baseAddress) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    })
    {
        BaseAddress = baseAddress,
        // The engine's per-request token bounds each request; HttpClient's own timeout would report it as a different kind.
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>Sends request <paramref name="index"/> of a step picked by weight; never throws for a failed request, except on cancellation.</summary>
    public Task<RequestOutcome> SendAsync(long index, CancellationToken cancellationToken) => SendAsync(Pick(), index, cancellationToken);

    /// <summary>Sends request <paramref name="index"/> of an HTTP <paramref name="step"/>; never throws for a failed request, except on cancellation.</summary>
    public async Task<RequestOutcome> SendAsync(StepDefinition step, long index, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        using var request = new HttpRequestMessage(new HttpMethod(step.Method), Fill(step.Path, index));
        long bytesOut = 0;
        if (step.Body is not null)
        {
            var body = Encoding.UTF8.GetBytes(Fill(step.Body, index));
            bytesOut = body.Length;
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new("application/json");
        }

        if (step.Auth && _data.Users.Count > 0)
        {
            request.Headers.Authorization = new("Bearer", _data.Users[Random.Shared.Next(_data.Users.Count)].Token);
        }

        if (step.IdempotencyKey)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var bytesIn = await DrainAsync(response.Content, cancellationToken);
            var status = (int)response.StatusCode;
            var ok = step.Expect.Count == 0 || _anySuccess ? status is >= 200 and < 300 : step.Expect.Contains(status);
            return new RequestOutcome(step.Name, ok ? null : "http-" + status.ToString(CultureInfo.InvariantCulture), bytesIn, bytesOut);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new RequestOutcome(step.Name, "timeout", 0, bytesOut);
        }
        catch (HttpRequestException ex)
        {
            return new RequestOutcome(step.Name, Classify(ex), 0, bytesOut);
        }
        catch (IOException)
        {
            return new RequestOutcome(step.Name, "socket", 0, bytesOut);
        }
    }

    internal static string Classify(HttpRequestException ex) => ex switch
    {
        { InnerException: SocketException s } => "socket-" + s.SocketErrorCode.ToString().ToLowerInvariant(),
        { HttpRequestError: HttpRequestError.ConnectionError } => "socket-connect",
        { HttpRequestError: HttpRequestError.ResponseEnded } => "socket-closed",
        { InnerException: IOException } => "socket",
        _ => "http-" + ex.HttpRequestError.ToString().ToLowerInvariant(),
    };

    private static async Task<long> DrainAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[8192];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>One of the scenario's steps (any kind), at random by weight.</summary>
    internal StepDefinition Pick()
    {
        if (_steps.Length == 1)
        {
            return _steps[0];
        }

        var x = Random.Shared.NextDouble() * _cumulativeWeights[^1];
        var i = Array.FindIndex(_cumulativeWeights, w => x < w);
        return _steps[i < 0 ? ^1 : i];
    }

    private string Fill(string template, long index)
    {
        if (!template.Contains('{', StringComparison.Ordinal))
        {
            return template;
        }

        var user = _data.Users.Count > 0 ? _data.Users[Random.Shared.Next(_data.Users.Count)] : default;
        return template
            .Replace("{post}", Pick(_data.Posts), StringComparison.Ordinal)
            .Replace("{topic}", Pick(_data.Topics), StringComparison.Ordinal)
            .Replace("{email}", user.Email ?? "", StringComparison.Ordinal)
            .Replace("{password}", user.Password ?? "", StringComparison.Ordinal)
            .Replace("{unique}", string.Create(CultureInfo.InvariantCulture, $"{_runId}-{index}"), StringComparison.Ordinal);
    }

    private static string Pick(IReadOnlyList<long> ids) =>
        ids.Count == 0 ? "0" : ids[Random.Shared.Next(ids.Count)].ToString(CultureInfo.InvariantCulture);
}
