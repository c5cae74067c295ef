namespace Fleet.EndToEnd.Tests;

/// <summary>
/// The position of a test in its class when the class uses <see cref="TestOrderer"/>: tests that share one
/// expensive fixture and change its state (move, evacuate) run in a defined order instead of xUnit's hash order.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class TestOrderAttribute(int position) : Attribute
{
    public int Position { get; } = position;
}
