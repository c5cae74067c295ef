using Fleet.LoadRunner;

namespace Fleet.LoadRunner.Tests;

public class LatencyHistogramTests
{
    private static readonly double[] Percentiles = [50, 75, 95, 99, 99.9];

    [Fact]
    public void ConstantDistributionReportsTheConstantAtEveryPercentile()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(12_345, 10_000);

        foreach (var p in Percentiles)
        {
            Assert.Equal(12_345, histogram.ValueAtPercentile(p));
        }

        Assert.Equal(12_345, histogram.Min);
        Assert.Equal(12_345, histogram.Max);
        Assert.Equal(10_000, histogram.Count);
    }

    [Fact]
    public void UniformDistributionPercentilesAreWithinDocumentedError()
    {
        var histogram = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++)
        {
            histogram.Record(v);
        }

        foreach (var p in Percentiles)
        {
            AssertWithinError(p * 10_000, histogram.ValueAtPercentile(p));
        }

        Assert.Equal(1_000_000, histogram.ValueAtPercentile(100));
        Assert.Equal(1, histogram.Min);
        Assert.Equal(500_000.5, histogram.Mean, 3);
    }

    [Fact]
    public void ExponentialDistributionPercentilesMatchExactOnesWithinDocumentedError()
    {
        var random = new Random(42);
        var values = new long[200_000];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            // Mean 5 ms in µs, like a service time; sorted below to get the exact nearest-rank percentiles.
            values[i] = (long)(-Math.Log(1 - random.NextDouble()) * 5_000);
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        foreach (var p in Percentiles)
        {
            var exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            AssertWithinError(exact, histogram.ValueAtPercentile(p));
        }

        // And against the distribution itself: p99 of Exp(mean 5 ms) is 5 ms · ln 100 ≈ 23.03 ms (sampling adds ~2 %).
        Assert.InRange(histogram.ValueAtPercentile(99), 23_026 * 0.95, 23_026 * 1.05);
        Assert.Equal(values[^1], histogram.Max);
        Assert.Equal(values[0], histogram.Min);
    }

    [Fact]
    public void MergedHistogramEqualsOneHistogramOfAllValues()
    {
        var random = new Random(7);
        var left = new LatencyHistogram();
        var right = new LatencyHistogram();
        var all = new LatencyHistogram();
        for (var i = 0; i < 50_000; i++)
        {
            var v = random.NextInt64(1, 10_000_000);
            (i % 3 == 0 ? left : right).Record(v);
            all.Record(v);
        }

        left.Add(right);

        Assert.Equal(all.Count, left.Count);
        Assert.Equal(all.Min, left.Min);
        Assert.Equal(all.Max, left.Max);
        foreach (var p in Percentiles)
        {
            Assert.Equal(all.ValueAtPercentile(p), left.ValueAtPercentile(p));
        }

        Assert.Equal(all.Buckets(), left.Buckets());
    }

    [Fact]
    public void EveryBucketBoundMapsBackToItsBucketAndBucketsAreNarrow()
    {
        for (var i = 0; i < LatencyHistogram.BucketCount; i++)
        {
            var (lower, width) = LatencyHistogram.BucketBounds(i);
            Assert.Equal(i, LatencyHistogram.IndexOf(lower));
            Assert.Equal(i, LatencyHistogram.IndexOf(lower + width - 1));
            Assert.True(width == 1 || width <= lower / (double)LatencyHistogram.SubBucketCount, $"bucket {i} [{lower}, +{width}) is too wide");
        }
    }

    [Fact]
    public void ValuesOutsideTheRangeAreClampedNotLost()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);

        Assert.Equal(2, histogram.Count);
        Assert.Equal(0, histogram.Min);
        Assert.Equal(LatencyHistogram.MaxTrackableValue, histogram.Max);
    }

    private static void AssertWithinError(double expected, long actual) =>
        Assert.InRange(actual, expected * (1 - LatencyHistogram.MaxRelativeError) - 1, expected * (1 + LatencyHistogram.MaxRelativeError) + 1);
}
