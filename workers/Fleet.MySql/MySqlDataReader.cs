using System.Collections;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Runtime.CompilerServices;
using Fleet.MySql.Internal;

namespace Fleet.MySql;

/// <summary>
/// Streams the result sets of one command. A row stays in the connection's receive buffer: <see cref="Read"/>
/// only locates the fields, and a value is converted (and a string allocated) when it is asked for.
/// </summary>
#pragma warning disable CA1010 // DbDataReader's non-generic enumeration (DbEnumerator) is the ADO.NET contract.
public sealed class MySqlDataReader : DbDataReader
#pragma warning restore CA1010
{
    private readonly MySqlCommand _command;
    private readonly MySqlConnection _connection;
    private readonly ServerSession _session;
    private readonly CommandExecution _execution;
    private readonly CommandBehavior _behavior;
    private ColumnDefinition[]? _columns;
    private ReadOnlyMemory<byte> _row;
    private int[] _offsets;
    private int[] _lengths;
    private ReaderState _state;
    private bool _hasPeekedRow;
    private bool _rowConsumed;
    private int _recordsAffected = -1;
    private bool _closed;

    internal MySqlDataReader(MySqlCommand command, MySqlConnection connection, ServerSession session, CommandExecution execution, CommandBehavior behavior)
    {
        _command = command;
        _connection = connection;
        _session = session;
        _execution = execution;
        _behavior = behavior;

        // One reader per session at a time, so the field-position arrays live on the session and are reused.
        _offsets = session.FieldOffsets;
        _lengths = session.FieldLengths;
    }

    private enum ReaderState
    {
        /// <summary>Positioned on a result set whose rows are not all read.</summary>
        Rows,

        /// <summary>The current result set has ended; another may follow.</summary>
        ResultEnded,

        /// <summary>The server has sent everything.</summary>
        Done,
    }

    /// <inheritdoc />
    public override int Depth => 0;

    /// <inheritdoc />
    public override int FieldCount => _columns?.Length ?? 0;

    /// <summary>Whether the current result set has rows; known without I/O because the first row is read ahead.</summary>
    public override bool HasRows => _hasPeekedRow || _rowConsumed;

    /// <inheritdoc />
    public override bool IsClosed => _closed;

    /// <summary>Rows changed, matched or inserted by the statements so far; -1 when only SELECTs ran.</summary>
    public override int RecordsAffected => _recordsAffected;

    /// <summary>Warnings reported by the server for the most recent statement.</summary>
    public int WarningCount => _session.WarningCount;

    /// <inheritdoc />
    public override object this[int ordinal] => GetValue(ordinal);

    /// <inheritdoc />
    public override object this[string name] => GetValue(GetOrdinal(name));

    /// <inheritdoc />
    public override bool Read() => SyncIO.Wait(ReadCoreAsync(ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task<bool> ReadAsync(CancellationToken cancellationToken) => ReadCoreAsync(ioAsync: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override bool NextResult() => SyncIO.Wait(NextResultCoreAsync(ioAsync: false, CancellationToken.None));

    /// <inheritdoc />
    public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => NextResultCoreAsync(ioAsync: true, cancellationToken).AsTask();

    /// <inheritdoc />
    public override string GetName(int ordinal) => Column(ordinal).Name;

    /// <inheritdoc />
    public override int GetOrdinal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var columns = _columns ?? throw new InvalidOperationException("No result set is available.");
        for (var i = 0; i < columns.Length; i++)
        {
            if (string.Equals(columns[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        for (var i = 0; i < columns.Length; i++)
        {
            if (string.Equals(columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

#pragma warning disable CA2201 // ADO.NET documents IndexOutOfRangeException for an unknown column name.
        throw new IndexOutOfRangeException($"The result set has no column named '{name}'.");
#pragma warning restore CA2201
    }

    /// <inheritdoc />
    public override string GetDataTypeName(int ordinal) => Column(ordinal).DataTypeName;

    /// <inheritdoc />
    public override Type GetFieldType(int ordinal) => TextValueParser.ClrType(Column(ordinal).Kind);

    /// <inheritdoc />
    public override bool IsDBNull(int ordinal)
    {
        EnsureRow(ordinal);
        return _lengths[ordinal] < 0;
    }

    /// <inheritdoc />
    public override Task<bool> IsDBNullAsync(int ordinal, CancellationToken cancellationToken) => Task.FromResult(IsDBNull(ordinal));

    /// <inheritdoc />
    public override object GetValue(int ordinal) =>
        IsDBNull(ordinal) ? DBNull.Value : TextValueParser.Parse(_columns![ordinal], Field(ordinal));

    /// <inheritdoc />
    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    /// <inheritdoc />
    public override bool GetBoolean(int ordinal) => Column(ordinal).Kind switch
    {
        ValueKind.Boolean or ValueKind.SByte or ValueKind.Int16 or ValueKind.Int32 or ValueKind.Int64 => TextValueParser.ParseInt64(NonNullField(ordinal)) != 0,
        ValueKind.Byte or ValueKind.UInt16 or ValueKind.UInt32 or ValueKind.UInt64 => TextValueParser.ParseUInt64(NonNullField(ordinal)) != 0,
        _ => Convert.ToBoolean(GetValue(ordinal), CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public override byte GetByte(int ordinal) => checked((byte)GetInt64(ordinal));

    /// <inheritdoc />
    public override short GetInt16(int ordinal) => checked((short)GetInt64(ordinal));

    /// <inheritdoc />
    public override int GetInt32(int ordinal) => checked((int)GetInt64(ordinal));

    /// <inheritdoc />
    public override long GetInt64(int ordinal) => Column(ordinal).Kind switch
    {
        ValueKind.Boolean or ValueKind.SByte or ValueKind.Int16 or ValueKind.Int32 or ValueKind.Int64 => TextValueParser.ParseInt64(NonNullField(ordinal)),
        ValueKind.Byte or ValueKind.UInt16 or ValueKind.UInt32 or ValueKind.UInt64 => checked((long)TextValueParser.ParseUInt64(NonNullField(ordinal))),
        _ => Convert.ToInt64(GetValue(ordinal), CultureInfo.InvariantCulture),
    };

    /// <summary>Gets an unsigned 64-bit value (BIGINT UNSIGNED, BIT).</summary>
    public ulong GetUInt64(int ordinal) => Column(ordinal).Kind switch
    {
        ValueKind.Byte or ValueKind.UInt16 or ValueKind.UInt32 or ValueKind.UInt64 => TextValueParser.ParseUInt64(NonNullField(ordinal)),
        ValueKind.Bit => TextValueParser.ParseBit(NonNullField(ordinal)),
        _ => Convert.ToUInt64(GetValue(ordinal), CultureInfo.InvariantCulture),
    };

    /// <inheritdoc />
    public override float GetFloat(int ordinal) => Convert.ToSingle(GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override double GetDouble(int ordinal) => Column(ordinal).Kind == ValueKind.Double
        ? TextValueParser.ParseDouble(NonNullField(ordinal))
        : Convert.ToDouble(GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override decimal GetDecimal(int ordinal) => Column(ordinal).Kind == ValueKind.Decimal
        ? TextValueParser.ParseDecimal(NonNullField(ordinal))
        : Convert.ToDecimal(GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public override DateTime GetDateTime(int ordinal) => Column(ordinal).Kind == ValueKind.DateTime
        ? TextValueParser.ParseDateTime(NonNullField(ordinal))
        : Convert.ToDateTime(GetValue(ordinal), CultureInfo.InvariantCulture);

    /// <summary>Gets a TIME value.</summary>
    public TimeSpan GetTimeSpan(int ordinal) => Column(ordinal).Kind == ValueKind.TimeSpan
        ? TextValueParser.ParseTimeSpan(NonNullField(ordinal))
        : (TimeSpan)GetValue(ordinal);

    /// <inheritdoc />
    public override string GetString(int ordinal)
    {
        var data = NonNullField(ordinal);
        return Column(ordinal).Kind switch
        {
            ValueKind.Bytes => throw new InvalidCastException($"Column '{Column(ordinal).Name}' is binary; use GetBytes or GetFieldValue<byte[]>."),
            _ => Encoding.UTF8.GetString(data),
        };
    }

    /// <inheritdoc />
    public override char GetChar(int ordinal)
    {
        var text = GetString(ordinal);
        return text.Length > 0 ? text[0] : throw new InvalidCastException("The value is an empty string.");
    }

    /// <inheritdoc />
    public override Guid GetGuid(int ordinal)
    {
        var data = NonNullField(ordinal);
        return Column(ordinal).Kind switch
        {
            ValueKind.Bytes when data.Length == 16 => new Guid(data),
            ValueKind.Bytes => throw new InvalidCastException("Only a 16-byte binary value can be read as a Guid."),
            _ => TextValueParser.ParseGuid(data),
        };
    }

    /// <inheritdoc />
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length)
    {
        var data = NonNullField(ordinal);
        if (buffer is null)
        {
            return data.Length;
        }

        if (dataOffset < 0 || dataOffset > data.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dataOffset));
        }

        var count = Math.Min(length, data.Length - (int)dataOffset);
        data.Slice((int)dataOffset, count).CopyTo(buffer.AsSpan(bufferOffset));
        return count;
    }

    /// <inheritdoc />
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length)
    {
        var text = GetString(ordinal);
        if (buffer is null)
        {
            return text.Length;
        }

        if (dataOffset < 0 || dataOffset > text.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(dataOffset));
        }

        var count = Math.Min(length, text.Length - (int)dataOffset);
        text.AsSpan((int)dataOffset, count).CopyTo(buffer.AsSpan(bufferOffset));
        return count;
    }

    /// <inheritdoc />
    public override T GetFieldValue<T>(int ordinal)
    {
        if (typeof(T) == typeof(int))
        {
            return (T)(object)GetInt32(ordinal);
        }

        if (typeof(T) == typeof(long))
        {
            return (T)(object)GetInt64(ordinal);
        }

        if (typeof(T) == typeof(string))
        {
            return (T)(object)GetString(ordinal);
        }

        if (typeof(T) == typeof(Guid))
        {
            return (T)(object)GetGuid(ordinal);
        }

        if (typeof(T) == typeof(DateTimeOffset))
        {
            return (T)(object)new DateTimeOffset(DateTime.SpecifyKind(GetDateTime(ordinal), DateTimeKind.Utc));
        }

        if (typeof(T) == typeof(TimeSpan))
        {
            return (T)(object)GetTimeSpan(ordinal);
        }

        var value = GetValue(ordinal);
        if (value is T typed)
        {
            return typed;
        }

        if (value is DBNull)
        {
            if (default(T) is null)
            {
                return default!;
            }

            throw new InvalidCastException($"Column '{Column(ordinal).Name}' is NULL; read it as a nullable type.");
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    /// <inheritdoc />
    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    /// <inheritdoc />
    public override void Close() => SyncIO.Wait(CloseCoreAsync(ioAsync: false));

    /// <inheritdoc />
    public override Task CloseAsync() => CloseCoreAsync(ioAsync: true).AsTask();

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await CloseCoreAsync(ioAsync: true);
        await base.DisposeAsync();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close();
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads result headers until a result set or the end, summing affected rows of non-SELECT statements.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask ReadFirstResultAsync(bool ioAsync)
    {
        await ReadNextHeaderAsync(ioAsync);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReadNextHeaderAsync(bool ioAsync)
    {
        _columns = null;
        _hasPeekedRow = false;
        _rowConsumed = false;

        // Bounded by the statements the server runs: each OK without MORE_RESULTS ends the loop.
        while (true)
        {
            ColumnDefinition[]? columns;
            try
            {
                columns = await _session.ReadResultHeaderAsync(ioAsync, _execution.AbortToken);
            }
            catch (Exception ex)
            {
                _state = ReaderState.Done;
                _execution.Complete();
                var translated = _execution.Translate(ex);
                await _execution.WaitForKillAsync(ioAsync);
                if (ReferenceEquals(translated, ex))
                {
                    throw;
                }

                throw translated;
            }

            if (columns is not null)
            {
                _columns = columns;
                if (_offsets.Length < columns.Length)
                {
                    _offsets = _session.FieldOffsets = new int[columns.Length];
                    _lengths = _session.FieldLengths = new int[columns.Length];
                }

                _state = ReaderState.Rows;
                await ThrowIfTriggeredAsync(ioAsync);

                // Read ahead one row: it is almost always in the receive buffer already, and HasRows then needs no I/O.
                _hasPeekedRow = await ReadRowCoreAsync(ioAsync, CancellationToken.None);
                return;
            }

            _recordsAffected = (_recordsAffected < 0 ? 0 : _recordsAffected) + (int)_session.AffectedRows;
            _command.LastInsertedId = (long)_session.LastInsertId;
            if ((_session.Status & ServerStatus.MoreResultsExist) == 0)
            {
                _state = ReaderState.Done;
                _execution.Complete();
                await ThrowIfTriggeredAsync(ioAsync);
                return;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadCoreAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw new InvalidOperationException("The data reader is closed.");
        }

        if (_hasPeekedRow)
        {
            _hasPeekedRow = false;
            _rowConsumed = true;
            return true;
        }

        if (_state != ReaderState.Rows)
        {
            return false;
        }

        cancellationToken.ThrowIfCancellationRequested();
        using var registration = _execution.Listen(cancellationToken);
        var hasRow = await ReadRowCoreAsync(ioAsync, cancellationToken);
        _rowConsumed |= hasRow;
        return hasRow;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadRowCoreAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte>? row;
        try
        {
            row = await _session.ReadRowAsync(ioAsync, _execution.AbortToken);
        }
        catch (Exception ex)
        {
            _state = ReaderState.Done;
            _execution.Complete();
            var translated = _execution.Translate(ex);
            await _execution.WaitForKillAsync(ioAsync);
            if (ReferenceEquals(translated, ex))
            {
                throw;
            }

            throw translated;
        }

        if (row is null)
        {
            _state = ReaderState.ResultEnded;
            _row = default;
            if ((_session.Status & ServerStatus.MoreResultsExist) == 0)
            {
                _state = ReaderState.Done;
                _execution.Complete();
            }

            await ThrowIfTriggeredAsync(ioAsync);
            return false;
        }

        _row = row.Value;
        LocateFields();
        if (_execution.IsTriggered)
        {
            await ThrowIfTriggeredAsync(ioAsync);
        }

        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> NextResultCoreAsync(bool ioAsync, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw new InvalidOperationException("The data reader is closed.");
        }

        using var registration = _execution.Listen(cancellationToken);

        // Bounded by the rows the server sends for this result.
        while (_state == ReaderState.Rows)
        {
            _hasPeekedRow = false;
            await ReadRowCoreAsync(ioAsync, cancellationToken);
        }

        if (_state == ReaderState.Done)
        {
            _columns = null;
            return false;
        }

        await ReadNextHeaderAsync(ioAsync);
        return _columns is not null;
    }

    /// <summary>A cancelled command ends with the cancellation exception even if the server finished it anyway.</summary>
    private async ValueTask ThrowIfTriggeredAsync(bool ioAsync)
    {
        if (!_execution.IsTriggered)
        {
            return;
        }

        await DrainAsync(ioAsync, throwOnError: false);
        await _execution.WaitForKillAsync(ioAsync);
        throw _execution.CancellationException()!;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync(bool ioAsync, bool throwOnError)
    {
        // Bounded by what the server still sends for this command; a dead socket ends it through the abort timer.
        while (_state != ReaderState.Done && !_session.IsBroken)
        {
            try
            {
                if (_state == ReaderState.Rows)
                {
                    var row = await _session.ReadRowAsync(ioAsync, _execution.AbortToken);
                    if (row is null)
                    {
                        _state = (_session.Status & ServerStatus.MoreResultsExist) != 0 ? ReaderState.ResultEnded : ReaderState.Done;
                    }
                }
                else
                {
                    var columns = await _session.ReadResultHeaderAsync(ioAsync, _execution.AbortToken);
                    if (columns is not null)
                    {
                        _state = ReaderState.Rows;
                    }
                    else if ((_session.Status & ServerStatus.MoreResultsExist) == 0)
                    {
                        _state = ReaderState.Done;
                    }
                }
            }
            catch (MySqlException) when (!throwOnError)
            {
                _state = ReaderState.Done;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException or MySqlProtocolException)
            {
                _session.Abort();
                _state = ReaderState.Done;
                if (throwOnError)
                {
                    throw _execution.Translate(ex);
                }
            }
        }

        _state = ReaderState.Done;
        _execution.Complete();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CloseCoreAsync(bool ioAsync)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            if (_state != ReaderState.Done)
            {
                await DrainAsync(ioAsync, throwOnError: false);
            }

            await _execution.WaitForKillAsync(ioAsync);
        }
        finally
        {
            _execution.Dispose();
            _connection.ActiveReader = null;
            _command.ActiveExecution = null;
            if ((_behavior & CommandBehavior.CloseConnection) != 0)
            {
                if (ioAsync)
                {
                    await _connection.CloseAsync();
                }
                else
                {
                    _connection.Close();
                }
            }
        }
    }

    private void LocateFields()
    {
        var span = _row.Span;
        var reader = new PayloadReader(span);
        for (var i = 0; i < _columns!.Length; i++)
        {
            if (span[reader.Offset] == 0xFB)
            {
                reader.Offset++;
                _lengths[i] = -1;
                continue;
            }

            var length = (int)reader.ReadLengthEncodedInteger();
            _offsets[i] = reader.Offset;
            _lengths[i] = length;
            reader.Offset += length;
        }

        if (reader.Offset > span.Length)
        {
            throw new MySqlException(MySqlErrorCodes.MalformedPacket, null, "A row packet is shorter than its fields.");
        }
    }

    private ColumnDefinition Column(int ordinal)
    {
        var columns = _columns ?? throw new InvalidOperationException("No result set is available.");
        return (uint)ordinal < (uint)columns.Length
            ? columns[ordinal]
#pragma warning disable CA2201 // ADO.NET documents IndexOutOfRangeException for a bad ordinal.
            : throw new IndexOutOfRangeException($"Column ordinal {ordinal} is outside the {columns.Length} columns.");
#pragma warning restore CA2201
    }

    private void EnsureRow(int ordinal)
    {
        Column(ordinal);
        if (!_rowConsumed || _row.IsEmpty || _hasPeekedRow)
        {
            throw new InvalidOperationException("Read() must return true before values can be read.");
        }
    }

    private ReadOnlySpan<byte> Field(int ordinal) => _row.Span.Slice(_offsets[ordinal], _lengths[ordinal]);

    private ReadOnlySpan<byte> NonNullField(int ordinal)
    {
        if (IsDBNull(ordinal))
        {
            throw new InvalidCastException($"Column '{_columns![ordinal].Name}' is NULL.");
        }

        return Field(ordinal);
    }
}
