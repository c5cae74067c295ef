namespace Fleet.MySql.Internal;

/// <summary>
/// The sync ADO.NET methods run the same code as the async ones with ioAsync=false: every I/O call inside then
/// completes synchronously (Stream.Read, Socket.Connect), so the returned ValueTask is already complete and no
/// thread blocks on an async operation.
/// </summary>
internal static class SyncIO
{
    public static T Wait<T>(ValueTask<T> task) =>
        task.IsCompleted ? task.Result : task.AsTask().GetAwaiter().GetResult();

    public static void Wait(ValueTask task)
    {
        if (task.IsCompleted)
        {
            task.GetAwaiter().GetResult();
        }
        else
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }
}
