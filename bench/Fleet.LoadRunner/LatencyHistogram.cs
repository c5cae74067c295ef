using System.Numerics;

namespace Fleet.LoadRunner;

/// <summary>
/// A log-linear (HDR-style) histogram of non-negative integer values, microseconds here. Values below
/// <see cref="SubBucketCount"/> get a bucket each; above that every power of two is split into
/// <see cref="SubBucketCount"/> equal buckets, so a bucket is never wider than 1/128 of its lower bound.
/// A percentile reports its bucket's midpoint, so its relative error is at most 1/256 (0.4 %), and it is
/// clamped to the exact minimum and maximum. Memory is fixed (<see cref="BucketCount"/> counters), histograms
/// merge by adding counters, and recording is O(1).
/// </summary>
public sealed class LatencyHistogram
{
    /// <summary>Buckets per power of two: 2^7 keeps the relative error under 1 % with 35 KiB per histogram.</summary>
    public const int SubBucketCount = 128;

    private const int SubBucketBits = 7;

    /// <summary>Largest value kept exactly in range: 2^40 µs is about 12.7 days; larger values are clamped to it.</summary>
    public const long MaxTrackableValue = (1L << 40) - 1;

    /// <summary>Number of counters: the linear first 128 plus 128 per power of two up to 2^40.</summary>
    public static readonly int BucketCount = IndexOf(MaxTrackableValue) + 1;

    /// <summary>The worst relative error of a reported percentile (half a bucket's width over its lower bound).</summary>
    public const double MaxRelativeError = 1.0 / (2 * SubBucketCount);

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>Exact smallest recorded value, 0 when empty.</summary>
    public long Min { get; private set; }

    /// <summary>Exact largest recorded value (after clamping to <see cref="MaxTrackableValue"/>), 0 when empty.</summary>
    public long Max { get; private set; }

    /// <summary>Sum of recorded values, for the mean.</summary>
    public double Sum { get; private set; }

    /// <summary>Arithmetic mean, 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : Sum / Count;

    /// <summary>Records one value; negative values count as 0, values above the range as <see cref="MaxTrackableValue"/>.</summary>
    public void Record(long value) => Record(value, 1);

    /// <summary>Records a value <paramref name="times"/> times.</summary>
    public void Record(long value, long times)
    {
        if (times <= 0)
        {
            return;
        }

        value = Math.Clamp(value, 0, MaxTrackableValue);
        _counts[IndexOf(value)] += times;
        if (Count == 0 || value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }

        Count += times;
        Sum += (double)value * times;
    }

    /// <summary>Adds every value of <paramref name="other"/> to this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count += other.Count;
        Sum += other.Sum;
    }

    /// <summary>A copy that can be read while this one keeps recording under the caller's lock.</summary>
    public LatencyHistogram Clone()
    {
        var copy = new LatencyHistogram();
        copy.Add(this);
        return copy;
    }

    /// <summary>
    /// The value below or at which <paramref name="percentile"/> % of the values fall (nearest rank), as its
    /// bucket's midpoint clamped to [Min, Max]; 100 returns the exact maximum, an empty histogram 0.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        if (percentile >= 100)
        {
            return Max;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (lower, width) = BucketBounds(i);
                return Math.Clamp(lower + (width - 1) / 2, Min, Max);
            }
        }

        return Max;
    }

    /// <summary>Non-empty buckets as (lower bound, exclusive upper bound, count), for distribution charts.</summary>
    public IEnumerable<(long Lower, long Upper, long Count)> Buckets()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (_counts[i] != 0)
            {
                var (lower, width) = BucketBounds(i);
                yield return (lower, lower + width, _counts[i]);
            }
        }
    }

    /// <summary>The bucket a value falls into (0 ≤ value ≤ <see cref="MaxTrackableValue"/>).</summary>
    public static int IndexOf(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        var shift = 63 - BitOperations.LeadingZeroCount((ulong)value) - SubBucketBits;
        var mantissa = (int)(value >> shift);
        return SubBucketCount + (shift * SubBucketCount) + (mantissa - SubBucketCount);
    }

    /// <summary>A bucket's lower bound and width.</summary>
    public static (long Lower, long Width) BucketBounds(int index)
    {
        if (index < SubBucketCount)
        {
            return (index, 1);
        }

        var shift = (index - SubBucketCount) / SubBucketCount;
        var mantissa = SubBucketCount + ((index - SubBucketCount) % SubBucketCount);
        return ((long)mantissa << shift, 1L << shift);
    }
}
