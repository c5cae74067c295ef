using Fleet.Contracts;
using Fleet.Hosting;
using Fleet.Nats;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Fleet.Chat;

/// <summary>
/// The rooms that have members on this instance. A room exists (and is subscribed on NATS) from its first local
/// member's join to its last local member's leave; every room runs one loop that owns its state.
/// </summary>
internal sealed class RoomHub(
    ChatStore store,
    NatsConnection nats,
    IOptions<ChatOptions> options,
    IOptions<FleetOptions> fleet,
    ILoggerFactory loggers)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Room> _rooms = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<Room>();

    /// <summary>
    /// Identifies this process in presence heartbeats. The random part keeps a restarted instance (same name)
    /// apart from its own ghost until the ghost's entries expire.
    /// </summary>
    public string PresenceId { get; } = $"{fleet.Value.Instance}-{Guid.NewGuid().ToString("N")[..8]}";

    public string Region => fleet.Value.Region;

    public ChatOptions Options => options.Value;

    public ChatStore Store => store;

    public NatsConnection Nats => nats;

    /// <summary>How many rooms are subscribed here (for tests and diagnostics).</summary>
    public int RoomCount
    {
        get
        {
            lock (_lock)
            {
                return _rooms.Count;
            }
        }
    }

    public async Task JoinAsync(ChatConnection connection, string roomId, long? lastOffset, string? epoch, CancellationToken cancellationToken)
    {
        Room room;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out room!))
            {
                room = new Room(roomId, this, _logger);
                _rooms.Add(roomId, room);
            }

            // Counted before the join is processed, so a concurrent last leave cannot retire the room under it.
            room.Reservations++;
        }

        try
        {
            await room.JoinAsync(connection, lastOffset, epoch, cancellationToken);
        }
        catch
        {
            await LeaveAsync(connection, roomId);
            throw;
        }
    }

    public async Task LeaveAsync(ChatConnection connection, string roomId)
    {
        Room? room;
        var retire = false;
        lock (_lock)
        {
            if (!_rooms.TryGetValue(roomId, out room))
            {
                return;
            }

            room.Reservations--;
            if (room.Reservations == 0)
            {
                _rooms.Remove(roomId);
                retire = true;
            }
        }

        await room.LeaveAsync(connection, retire);
    }

    public async Task LeaveAllAsync(ChatConnection connection, IEnumerable<string> roomIds)
    {
        foreach (var roomId in roomIds.ToList())
        {
            await LeaveAsync(connection, roomId);
        }
    }

    /// <summary>
    /// Fans a stored message out: to NATS for the other instances, and straight into the local room so local
    /// members get it even while NATS is away (the room drops the copy that comes back through NATS).
    /// </summary>
    public async Task PublishAsync(AppendResult stored, string requestId, CancellationToken cancellationToken)
    {
        var frame = ServerFrames.Message(stored.Message, stored.Epoch);
        Room? local;
        lock (_lock)
        {
            _rooms.TryGetValue(stored.Message.RoomId, out local);
        }

        local?.Post(new RoomEvent.Deliver(stored.Message.Offset, frame));
        var headers = new NatsHeaders
        {
            { ChatSubjects.OffsetHeader, stored.Message.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            { ChatSubjects.RequestIdHeader, requestId },
        };
        try
        {
            await nats.PublishAsync(ChatSubjects.Room(Region, stored.Message.RoomId), frame, headers, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is NatsException or InvalidOperationException)
        {
            // Stored and acked already: other instances fill the gap from MySQL when the next message arrives.
            Room.LogPublishFailed(_logger, stored.Message.RoomId, ex.Message);
        }
    }

    /// <summary>Every room repeats its presence and expires silent instances.</summary>
    public void Heartbeat()
    {
        List<Room> rooms;
        lock (_lock)
        {
            rooms = [.. _rooms.Values];
        }

        foreach (var room in rooms)
        {
            room.Post(new RoomEvent.Heartbeat());
        }
    }
}
