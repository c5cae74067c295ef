using System.Net;

namespace Fleet.EndToEnd.Tests;

/// <summary>
/// Closed-loop GET traffic through the ingress while something disruptive happens, bounded in time and
/// count. Every failure is kept with its reason so a test can show exactly what a client saw.
/// </summary>
internal sealed class LoadLoop : IAsyncDisposable
{
    private const int MaxRequests = 200_000;
    private readonly CancellationTokenSource _stop;
    private readonly Task[] _workers;
    private readonly List<string> _failures = [];
    private long _requests;

    public LoadLoop(HttpClient client, string path, int concurrency, TimeSpan maxDuration)
    {
        _stop = new CancellationTokenSource(maxDuration);
        _workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => RunAsync(client, path))).ToArray();
    }

    public long Requests => Interlocked.Read(ref _requests);

    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_failures)
            {
                return [.. _failures];
            }
        }
    }

    public async Task<LoadLoop> StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, string path)
    {
        while (!_stop.IsCancellationRequested && Interlocked.Increment(ref _requests) <= MaxRequests)
        {
            try
            {
                using var response = await client.GetAsync(path, _stop.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Fail($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(_stop.Token)}");
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex)
            {
                Fail(ex.Message);
            }
        }
    }

    private void Fail(string reason)
    {
        lock (_failures)
        {
            _failures.Add(reason);
        }
    }
}
