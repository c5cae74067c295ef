using Xunit.Abstractions;
using Xunit.Sdk;

namespace Fleet.EndToEnd.Tests;

/// <summary>Runs a class's tests by their <see cref="TestOrderAttribute"/> (unmarked ones last), then by name.</summary>
public sealed class TestOrderer : ITestCaseOrderer
{
    public const string TypeName = "Fleet.EndToEnd.Tests.TestOrderer";
    public const string AssemblyName = "Fleet.EndToEnd.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase =>
        testCases
            .OrderBy(testCase => Position(testCase))
            .ThenBy(testCase => testCase.TestMethod.Method.Name, StringComparer.Ordinal);

    private static int Position(ITestCase testCase) =>
        testCase.TestMethod.Method.GetCustomAttributes(typeof(TestOrderAttribute)).FirstOrDefault()
            ?.GetConstructorArguments().OfType<int>().First()
        ?? int.MaxValue;
}
