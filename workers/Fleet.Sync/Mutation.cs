namespace Fleet.Sync;

/// <summary>One offline edit: its client sequence number, kind, target id and the raw JSON arguments.</summary>
internal sealed record Mutation(long Seq, MutationKind Kind, long? TargetId, string Args);
