using System.Buffers;

namespace Fleet.Nats.Internal;

/// <summary>
/// Fixed-size blocks for the outbound pipe, recycled per connection. With the shared ArrayPool, publishers rent
/// on their threads while the write loop returns on its own, so the renting thread's cache runs dry and a new
/// 16 KB array is allocated every hundred or so small messages; a private free list avoids that churn.
/// </summary>
internal sealed class OutboundMemoryPool : MemoryPool<byte>
{
    /// <summary>Big enough for ~100 small messages per block, small enough to stay off the large object heap.</summary>
    public const int BlockSize = 16 * 1024;

    // 64 idle blocks (1 MB) cover a steady publisher; memory beyond that after a burst goes back to the GC.
    private const int MaxIdleBlocks = 64;

    private readonly Stack<Block> _idle = new(MaxIdleBlocks);
    private readonly Lock _lock = new();

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        lock (_lock)
        {
            if (_idle.TryPop(out var block))
            {
                return block;
            }
        }

        return new Block(this);
    }

    protected override void Dispose(bool disposing)
    {
        lock (_lock)
        {
            _idle.Clear();
        }
    }

    private void Return(Block block)
    {
        lock (_lock)
        {
            if (_idle.Count < MaxIdleBlocks)
            {
                _idle.Push(block);
            }
        }
    }

    private sealed class Block(OutboundMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = new byte[BlockSize];

        public Memory<byte> Memory => _array;

        // The pipe disposes each segment's owner exactly once, when the write loop has sent the segment.
        public void Dispose() => pool.Return(this);
    }
}
