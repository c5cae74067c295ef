namespace Fleet.Placement;

/// <summary>The request contradicts itself (duplicate host, negative size…): a usage error, not a "does not fit".</summary>
internal sealed class PlacementInputException : Exception
{
    public PlacementInputException()
    {
    }

    public PlacementInputException(string message)
        : base(message)
    {
    }

    public PlacementInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
