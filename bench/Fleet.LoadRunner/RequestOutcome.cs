namespace Fleet.LoadRunner;

/// <summary>What one request did: the step it ran, its error kind (null when it succeeded) and the bytes moved.</summary>
public readonly record struct RequestOutcome(string Step, string? Error, long BytesIn, long BytesOut);
