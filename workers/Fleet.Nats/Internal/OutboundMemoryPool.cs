using System.Buffers;

namespace Fleet.Nats.Internal;

/// <summary>
/// Fixed-size blocks for the outbound pipe, recycled per connection. With the shared ArrayPool, publishers rent
/// on their threads while the write loop returns on its own, so the renting thread's cache runs dry and a new
/// block is allocated every few hundred small messages; a private free list avoids that churn.
/// </summary>
internal sealed class OutboundMemoryPool(long maxIdleBytes) : MemoryPool<byte>
{
    /// <summary>
    /// One socket write of the write loop (CoalesceBufferSize), small enough to stay off the large object heap. Large
    /// blocks also keep the pipe's own segment objects within its internal pool (256 of them) up to the pause
    /// threshold: with 16 KiB blocks a publisher more than 4 MiB ahead of the socket allocated a segment per block.
    /// </summary>
    public const int BlockSize = 64 * 1024;

    // Idle blocks are kept up to the pipe's pause threshold: a publisher may legitimately run that far ahead of the
    // socket, and with a smaller cap every block beyond it was allocated afresh and dropped on return (the bench
    // measured 1.5-8.6 B/msg at 16 B). The memory is the bound the pipe already allows while publishing.
    private readonly int _maxIdleBlocks = (int)Math.Max(1, maxIdleBytes / BlockSize);
    // Blocks created with the pool: a burst of a few hundred KB then never allocates on the publishing thread, however
    // far the write loop lags behind it (how many blocks a burst needs depends on that lag, so growing on demand
    // made "no allocation per publish" depend on scheduling). 512 KB per connection.
    private const int InitialBlocks = 8;

    private readonly Stack<Block> _idle = new(InitialBlocks);
    private readonly Lock _lock = new();

    public override int MaxBufferSize => BlockSize;

    /// <summary>Creates the initial idle blocks; called once by the owner, before the pipe rents any.</summary>
    public OutboundMemoryPool Prefill()
    {
        for (var i = 0; i < InitialBlocks; i++)
        {
            _idle.Push(new Block(this));
        }

        return this;
    }

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
            if (_idle.Count < _maxIdleBlocks)
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
