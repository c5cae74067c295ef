namespace Fleet.Nats.Benchmarks;

/// <summary>How a <see cref="PipePublishRuns"/> publisher hands messages to its write loop.</summary>
internal enum PipeVariant
{
    /// <summary>One GetSpan/Advance and one FlushAsync per message: the pipe cost alone.</summary>
    FlushPerMessage,

    /// <summary>As <see cref="FlushPerMessage"/>, with the frame written in three GetSpan/Advance calls (control line, payload, CRLF), as Fleet.Nats does.</summary>
    FlushPerMessageThreeAdvances,

    /// <summary>As <see cref="FlushPerMessageThreeAdvances"/>, inside SemaphoreSlim.Wait(0)/Release, as Fleet.Nats does.</summary>
    FlushPerMessageLockedThreeAdvances,

    /// <summary>Advance per message, FlushAsync only once 64 KiB are unflushed (and at the end).</summary>
    FlushPer64KiB,
}
