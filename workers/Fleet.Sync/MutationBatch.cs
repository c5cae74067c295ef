using System.Text.Json;

namespace Fleet.Sync;

/// <summary>A parsed, fully validated push request. Parsing checks every mutation before any is applied.</summary>
internal sealed record MutationBatch(string ClientId, IReadOnlyList<Mutation> Mutations)
{
    public static bool IsValidClientId(string clientId) =>
        clientId.Length is > 0 and <= 64 && clientId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Parses <paramref name="body"/>; returns null with the problem when anything is wrong.</summary>
    public static MutationBatch? Parse(ReadOnlySpan<byte> body, int maxBatch, out SyncProblem? problem)
    {
        problem = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            problem = SyncProblem.Validation("The body is not valid JSON: " + ex.Message);
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("clientId", out var clientIdElement) || clientIdElement.ValueKind != JsonValueKind.String
                || clientIdElement.GetString() is not { } clientId || !IsValidClientId(clientId))
            {
                problem = SyncProblem.Validation("clientId must be 1 to 64 letters, digits, '-' or '_'.");
                return null;
            }

            if (!root.TryGetProperty("mutations", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problem = SyncProblem.Validation("mutations must be an array.");
                return null;
            }

            if (list.GetArrayLength() > maxBatch)
            {
                problem = SyncProblem.BatchTooLarge(maxBatch);
                return null;
            }

            var mutations = new List<Mutation>();
            long previous = 0;
            foreach (var item in list.EnumerateArray())
            {
                var index = mutations.Count;
                if (item.ValueKind != JsonValueKind.Object
                    || !item.TryGetProperty("seq", out var seqElement) || !seqElement.TryGetInt64(out var seq) || seq < 1)
                {
                    problem = SyncProblem.Validation($"mutations[{index}].seq must be a positive integer.");
                    return null;
                }

                if (seq <= previous)
                {
                    problem = SyncProblem.Validation($"mutations[{index}].seq must be greater than the one before it.");
                    return null;
                }

                if (!item.TryGetProperty("name", out var nameElement) || nameElement.ValueKind != JsonValueKind.String
                    || MutationKinds.Find(nameElement.GetString()) is not { } kind)
                {
                    problem = SyncProblem.Validation($"mutations[{index}].name must be one of {string.Join(", ", MutationKinds.Names)}.");
                    return null;
                }

                if (!item.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Object)
                {
                    problem = SyncProblem.Validation($"mutations[{index}].args must be an object.");
                    return null;
                }

                long? targetId = null;
                if (kind.IdArgument is { } idName)
                {
                    if (!args.TryGetProperty(idName, out var idElement) || !idElement.TryGetInt64(out var id) || id < 1)
                    {
                        problem = SyncProblem.Validation($"mutations[{index}].args.{idName} must be a positive integer.");
                        return null;
                    }

                    targetId = id;
                }

                mutations.Add(new Mutation(seq, kind, targetId, args.GetRawText()));
                previous = seq;
            }

            return new MutationBatch(clientId, mutations);
        }
    }
}
