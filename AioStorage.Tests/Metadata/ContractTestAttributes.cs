using Xunit.Abstractions;
using Xunit.Sdk;

namespace AioStorage.Tests.Metadata;

/// <summary>
/// Marks a test class that only exists where an environment variable is set, such as the run against a real mongod
/// (<c>AIO_TEST_MONGODB_URI</c>). Without the variable its <see cref="ContractFactAttribute"/> and
/// <see cref="ContractTheoryAttribute"/> tests are not discovered at all: they neither pass nor show as skipped, so a
/// run without the server cannot count them as passes, and a run with it executes (and can fail) every one.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresEnvironmentVariableAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    internal static bool IsMetBy(ITypeInfo testClass) =>
        testClass.GetCustomAttributes(typeof(RequiresEnvironmentVariableAttribute))
            .Select(a => a.GetConstructorArguments().Single() as string)
            .All(variable => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable!)));
}

/// <summary>A contract test: a fact on every store the deriving class stands for.</summary>
[XunitTestCaseDiscoverer("AioStorage.Tests.Metadata.ContractFactDiscoverer", "AioStorage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractFactAttribute : FactAttribute;

/// <summary>A contract test: a theory on every store the deriving class stands for.</summary>
[XunitTestCaseDiscoverer("AioStorage.Tests.Metadata.ContractTheoryDiscoverer", "AioStorage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class ContractTheoryAttribute : TheoryAttribute;

public sealed class ContractFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        RequiresEnvironmentVariableAttribute.IsMetBy(testMethod.TestClass.Class) ? base.Discover(discoveryOptions, testMethod, factAttribute) : [];
}

public sealed class ContractTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        RequiresEnvironmentVariableAttribute.IsMetBy(testMethod.TestClass.Class) ? base.Discover(discoveryOptions, testMethod, theoryAttribute) : [];
}
