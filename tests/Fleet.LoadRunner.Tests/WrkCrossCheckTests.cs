using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class WrkCrossCheckTests
{
    [Fact]
    public void ParsesRequestsPerSecondAndPercentiles()
    {
        const string Output = """
            Running 10s test @ http://127.0.0.1:8080/api/v1/forum/posts/1
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.21ms    1.02ms  30.11ms   90.00%
                Req/Sec     2.51k   210.33     3.01k    70.00%
              Latency Distribution
                 50%    3.05ms
                 75%    3.60ms
                 90%    4.20ms
                 99%    7.12ms
              50012 requests in 10.00s, 20.01MB read
            Requests/sec:   5001.20
            Transfer/sec:      2.00MB
            """;

        var result = WrkCrossCheck.Parse(Output);

        Assert.Equal(5001.20, result.RequestsPerSecond, 2);
        Assert.Equal(3050, result.P50Micros, 3);
        Assert.Equal(7120, result.P99Micros, 3);
    }
}
