using System.Globalization;
using System.Text;

namespace Fleet.Nats.JetStream;

/// <summary>
/// A message a JetStream consumer delivered, with its metadata and the acknowledgements the server
/// expects. One of <see cref="AckAsync"/>, <see cref="NakAsync"/> or <see cref="TermAsync"/> settles it;
/// <see cref="InProgressAsync"/> only buys time. An unsettled message is redelivered after the consumer's
/// ack wait.
/// </summary>
public sealed class NatsJSMsg
{
    private static readonly ReadOnlyMemory<byte> AckPayload = "+ACK"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> NakPayload = "-NAK"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> InProgressPayload = "+WPI"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> TermPayload = "+TERM"u8.ToArray();

    private readonly NatsConnection _connection;
    private readonly NatsMsg _msg;
    private int _settled;

    internal NatsJSMsg(NatsConnection connection, NatsMsg msg, NatsJSMsgMetadata metadata)
    {
        _connection = connection;
        _msg = msg;
        Metadata = metadata;
    }

    /// <summary>The subject the message was published on.</summary>
    public string Subject => _msg.Subject;

    /// <summary>The payload.</summary>
    public ReadOnlyMemory<byte> Data => _msg.Data;

    /// <summary>The headers the message was published with (for example <c>Nats-Msg-Id</c>), if any.</summary>
    public NatsHeaders? Headers => _msg.Headers;

    /// <summary>Stream, consumer, sequences, delivery count and timestamp, from the ack subject.</summary>
    public NatsJSMsgMetadata Metadata { get; }

    /// <summary>The ack subject (<c>$JS.ACK.…</c>) the acknowledgements go to.</summary>
    public string ReplyTo => _msg.ReplyTo!;

    /// <summary>True once the message was acknowledged, rejected or terminated through this instance.</summary>
    public bool IsSettled => Volatile.Read(ref _settled) != 0;

    /// <summary>
    /// Acknowledges the message: the consumer will not deliver it again.
    /// </summary>
    /// <param name="waitForConfirmation">
    /// Send the ack as a request and wait for the server's empty reply ("double ack"), so a lost ack (a
    /// dropped connection, a server restart) surfaces as an exception instead of a silent redelivery.
    /// </param>
    /// <param name="cancellationToken">Cancels the send, or the wait for the confirmation.</param>
    /// <exception cref="InvalidOperationException">The message was already settled.</exception>
    /// <exception cref="NatsTimeoutException">With <paramref name="waitForConfirmation"/>: the server did not confirm in time.</exception>
    public Task AckAsync(bool waitForConfirmation = false, CancellationToken cancellationToken = default) =>
        SettleAsync(AckPayload, waitForConfirmation, cancellationToken);

    /// <summary>Rejects the message: the consumer redelivers it, at once or after <paramref name="delay"/>.</summary>
    /// <param name="delay">How long the server waits before the redelivery; null for at once.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="InvalidOperationException">The message was already settled.</exception>
    public Task NakAsync(TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        if (delay is { } d)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d, TimeSpan.Zero, nameof(delay));
        }

        var payload = delay is { } wait
            ? Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"-NAK {{\"delay\":{NatsJSNanosecondsConverter.ToNanoseconds(wait)}}}"))
            : NakPayload;
        return SettleAsync(payload, waitForConfirmation: false, cancellationToken);
    }

    /// <summary>
    /// Tells the server the message is still being worked on: its ack wait starts over. May be sent any
    /// number of times before the message is settled.
    /// </summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="InvalidOperationException">The message was already settled.</exception>
    public ValueTask InProgressAsync(CancellationToken cancellationToken = default)
    {
        if (IsSettled)
        {
            throw new InvalidOperationException($"The message (stream sequence {Metadata.StreamSequence}) was already settled.");
        }

        return _connection.PublishAsync(ReplyTo, InProgressPayload, headers: null, replyTo: null, cancellationToken);
    }

    /// <summary>
    /// Terminates the message: it is never delivered again, whatever its max deliver. For messages that can
    /// never be processed (a poison message).
    /// </summary>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="InvalidOperationException">The message was already settled.</exception>
    public Task TermAsync(CancellationToken cancellationToken = default) =>
        SettleAsync(TermPayload, waitForConfirmation: false, cancellationToken);

    private async Task SettleAsync(ReadOnlyMemory<byte> payload, bool waitForConfirmation, CancellationToken cancellationToken)
    {
        MarkSettled();
        try
        {
            if (waitForConfirmation)
            {
                await _connection.RequestAsync(ReplyTo, payload, headers: null, timeout: null, cancellationToken);
            }
            else
            {
                await _connection.PublishAsync(ReplyTo, payload, headers: null, replyTo: null, cancellationToken);
            }
        }
        catch
        {
            // Not sent, or not confirmed: let the caller try again rather than report "already settled".
            Volatile.Write(ref _settled, 0);
            throw;
        }
    }

    private void MarkSettled()
    {
        // The server would ignore a second ack anyway, but a second settle in our code is a logic error
        // (an ack after a nak, say) worth failing loudly for.
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            throw new InvalidOperationException($"The message (stream sequence {Metadata.StreamSequence}) was already settled.");
        }
    }
}
