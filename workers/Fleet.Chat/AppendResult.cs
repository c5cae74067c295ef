namespace Fleet.Chat;

/// <summary>A stored message and whether it was stored by an earlier send with the same client message id.</summary>
internal sealed record AppendResult(ChatMessage Message, string Epoch, bool Duplicate);
