using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using MicroGen.Generator.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Generator.Tests;

/// <summary>
/// A large assembly's module initializer registers its contracts and codec types in methods of 64
/// registrations each (the JIT compiles one huge method far slower than its parts), and still
/// registers every one of them once.
/// </summary>
public sealed class RegistrationPartsTests
{
    [TestCase(1, 1)]
    [TestCase(40, 2)]
    [TestCase(100, 5)]
    public void ManyContracts_RegistrationInParts_EveryContractAndTypeOnce(int contracts, int expectedParts)
    {
        // Arrange: each contract brings a request and a reply record, so 3 registrations each.
        var source = new StringBuilder("using System.Threading.Tasks;\nusing MicroGen;\nnamespace Many;\n");
        for (var i = 0; i < contracts; i++)
        {
            source.AppendLine($"public sealed record Request{i}(string Name);");
            source.AppendLine($"public sealed record Reply{i}(string Message);");
            source.AppendLine($"[MicroService(\"service{i}\")] public interface IService{i} {{ Task<Reply{i}> Get(Request{i} request); }}");
        }

        // Act
        var result = GeneratorHarness.Run(source.ToString());
        var registration = result.Sources["MicroGen.Registration.g.cs"];

        // Assert
        Assert.That(result.CompilationProblems, Is.Empty);
        var parts = Regex.Matches(registration, @"private static void RegisterPart\d+\(\)").Count;
        Assert.That(parts, Is.EqualTo(expectedParts == 1 ? 0 : expectedParts), "one method when everything fits in it");
        for (var i = 0; i < contracts; i++)
        {
            Assert.That(Regex.Matches(registration, $@"ServiceContracts\.Register<global::Many\.IService{i}>").Count, Is.EqualTo(1));
            Assert.That(Regex.Matches(registration, $@"MessagePackCodec\.Register\(typeof\(global::Many\.Request{i}\)").Count, Is.EqualTo(1));
            Assert.That(Regex.Matches(registration, $@"JsonCodec\.Register\(typeof\(global::Many\.Reply{i}\)").Count, Is.EqualTo(1));
        }
        Assert.That(Regex.Matches(registration, @"RegisterPart\d+\(\);").Count, Is.EqualTo(parts), "every part is called");
    }
}
