namespace Fleet.MySql.Internal;

/// <summary>
/// Cancellation and timeout for one running command. Cancelling never touches the command's own socket at
/// first: KILL QUERY goes over a side connection so the server stops the statement and the session stays usable.
/// Only if the server has not answered within <see cref="AbortGrace"/> (dead server, dropped socket) is the socket
/// closed, which ends any pending read and marks the session broken: a command can never hang for ever.
/// </summary>
internal sealed class CommandExecution : IDisposable
{
    /// <summary>Time the server gets to answer after KILL QUERY before the socket is abandoned.</summary>
    public static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(3);

    private const int NotTriggered = 0;
    private const int UserCanceled = 1;
    private const int TimedOut = 2;

    private readonly ServerSession _session;
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource? _timeout;
    private readonly CancellationTokenRegistration _userRegistration;
    private readonly CancellationTokenRegistration _timeoutRegistration;
    private readonly CancellationTokenRegistration _abortRegistration;
    private readonly int _timeoutSeconds;
    private CancellationToken _userToken;
    private int _state;
    private Task? _kill;

    public CommandExecution(ServerSession session, int timeoutSeconds, CancellationToken cancellationToken)
    {
        _session = session;
        _timeoutSeconds = timeoutSeconds;
        _userToken = cancellationToken;
        _abort = session.RentCancellationSource();
        if (timeoutSeconds > 0)
        {
            _timeout = session.RentCancellationSource();
            _timeout.CancelAfter(TimeSpan.FromSeconds(timeoutSeconds));
            _timeoutRegistration = _timeout.Token.Register(static state => ((CommandExecution)state!).Trigger(TimedOut, default), this);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _userRegistration = cancellationToken.Register(
                static state => ((CommandExecution)state!).Trigger(UserCanceled, ((CommandExecution)state!)._userToken), this);
        }

        // The abort token closes the socket too: a sync Stream.Read does not observe tokens.
        _abortRegistration = _abort.Token.Register(static state => ((ServerSession)state!).Abort(), session);
    }

    /// <summary>Passed to socket reads: fires only when the socket is being abandoned.</summary>
    public CancellationToken AbortToken => _abort.Token;

    public bool IsTriggered => Volatile.Read(ref _state) != NotTriggered;

    /// <summary>Also listens to a token passed to a later call (ReadAsync, NextResultAsync) while it runs.</summary>
    public CancellationTokenRegistration Listen(CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled && cancellationToken != _userToken
            ? cancellationToken.Register(static state =>
            {
                var (execution, token) = ((CommandExecution, CancellationToken))state!;
                execution.Trigger(UserCanceled, token);
            }, (this, cancellationToken))
            : default;

    /// <summary>Cancels as DbCommand.Cancel does.</summary>
    public void Cancel() => Trigger(UserCanceled, default);

    /// <summary>The server finished the command: a later timeout must not kill an idle session or the next query.</summary>
    public void Complete()
    {
        _timeoutRegistration.Dispose();
        _userRegistration.Dispose();
    }

    /// <summary>The exception a cancelled or timed-out command throws, or null if neither happened.</summary>
    public Exception? CancellationException(Exception? inner = null) => Volatile.Read(ref _state) switch
    {
        UserCanceled => new OperationCanceledException("The command was canceled.", inner, _userToken),
        TimedOut => new MySqlException(
            MySqlErrorCodes.CommandTimeoutExpired, null, $"The Command Timeout ({_timeoutSeconds} s) expired before the operation completed.", inner),
        _ => null,
    };

    /// <summary>Maps a failure during the command to what the caller should see.</summary>
    public Exception Translate(Exception exception)
    {
        if (exception is MySqlException { Number: MySqlErrorCodes.QueryInterrupted } && IsTriggered)
        {
            return CancellationException(exception)!;
        }

        if (exception is IOException or ObjectDisposedException or OperationCanceledException or MySqlProtocolException
            or System.Net.Sockets.SocketException)
        {
            _session.Abort();
            return CancellationException(exception) ?? new MySqlException(
                exception is MySqlProtocolException ? MySqlErrorCodes.MalformedPacket : MySqlErrorCodes.ServerLost,
                null,
                "Lost connection to the server during the command: " + exception.Message,
                exception);
        }

        return exception;
    }

    /// <summary>Waits (bounded) for a started KILL QUERY, so it cannot hit the session's next statement.</summary>
    public async ValueTask WaitForKillAsync(bool ioAsync)
    {
        if (_kill is not { } kill)
        {
            return;
        }

        try
        {
            if (ioAsync)
            {
                await kill.WaitAsync(AbortGrace + TimeSpan.FromSeconds(5));
            }
            else
            {
                kill.Wait(AbortGrace + TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception ex) when (ex is TimeoutException or MySqlException or AggregateException)
        {
            // The kill failed or hung: the session cannot be trusted with a possibly pending kill.
            _session.Abort();
        }
    }

    public void Dispose()
    {
        Complete();
        _abortRegistration.Dispose();
        if (_timeout is not null)
        {
            _session.ReturnCancellationSource(_timeout);
        }

        _session.ReturnCancellationSource(_abort);
    }

    private void Trigger(int reason, CancellationToken token)
    {
        if (Interlocked.CompareExchange(ref _state, reason, NotTriggered) != NotTriggered)
        {
            return;
        }

        if (reason == UserCanceled && token.CanBeCanceled)
        {
            _userToken = token;
        }

        _kill = Task.Run(() => ServerSession.KillQueryAsync(_session.Settings, _session.ConnectionId), CancellationToken.None);
        try
        {
            _abort.CancelAfter(AbortGrace);
        }
        catch (ObjectDisposedException)
        {
            // The command finished meanwhile.
        }
    }
}
