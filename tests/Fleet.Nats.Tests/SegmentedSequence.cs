using System.Buffers;

namespace Fleet.Nats.Tests;

/// <summary>Builds multi-segment sequences, the shape a pipe hands over when bytes arrive in several reads.</summary>
internal static class SegmentedSequence
{
    public static ReadOnlySequence<byte> Create(params ReadOnlyMemory<byte>[] parts)
    {
        var nonEmpty = parts.Where(p => !p.IsEmpty).ToArray();
        if (nonEmpty.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(nonEmpty[0], 0);
        var last = first;
        foreach (var part in nonEmpty.Skip(1))
        {
            last = last.Append(part);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
