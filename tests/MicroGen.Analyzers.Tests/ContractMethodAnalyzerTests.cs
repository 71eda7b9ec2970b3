using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

public sealed class ContractMethodAnalyzerTests
{
    [Test]
    public Task ReturnType_Int_ReportsMG0001OnReturnType() => Verify<ContractMethodAnalyzer>.AnalyzerAsync("""
        using System.Threading;
        using MicroGen;

        [MicroService("calc")]
        public interface ICalc
        {
            {|MG0001:int|} Add(int a, int b, CancellationToken cancellationToken = default);
        }
        """);
}
