using System.Threading.Tasks;
using MicroGen.Analyzers.Tests.Infrastructure;
using MicroGen.CodeFixes;
using NUnit.Framework;

namespace MicroGen.Analyzers.Tests;

/// <summary>
/// Each code fix: the fixed code, one diagnostic at a time and through Fix All (the testing
/// framework runs both and compares them with the same expected text).
/// </summary>
public sealed class CodeFixTests
{
    [Test]
    public Task ReturnTypeFix_IntAndVoid_WrapsInTaskAndAddsUsing() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<ReturnTypeCodeFixer>("""
            using System.Threading;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                {|MG0001:int|} Add(int a, int b, CancellationToken cancellationToken = default);

                /// <summary>Resets.</summary>
                {|MG0001:void|} Reset(CancellationToken cancellationToken = default);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

                /// <summary>Resets.</summary>
                Task Reset(CancellationToken cancellationToken = default);
            }
            """);

    [Test]
    public Task ReturnTypeFix_GenericTypeWithUsingPresent_WrapsOnly() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<ReturnTypeCodeFixer>("""
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                {|MG0001:List<int>|} History(CancellationToken cancellationToken = default);
            }
            """, """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<List<int>> History(CancellationToken cancellationToken = default);
            }
            """);

    [Test]
    public Task ParameterModifierFix_RefInAndParams_RemovesModifiers() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<ParameterModifierCodeFixer>("""
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task Bump({|MG0002:ref|} int value, CancellationToken cancellationToken = default);
                Task<int> Square({|MG0002:in|} int value, CancellationToken cancellationToken = default);
                Task<int> Sum({|MG0002:params|} int[] values);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task Bump(int value, CancellationToken cancellationToken = default);
                Task<int> Square(int value, CancellationToken cancellationToken = default);
                Task<int> {|MG0006:Sum|}(int[] values);
            }
            """);

    [Test]
    public Task ParameterModifierFix_Out_OffersNoFix() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<ParameterModifierCodeFixer>("""
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("store")]
            public interface IStore
            {
                Task<bool> TryGet(string key, {|MG0002:out|} string value, CancellationToken cancellationToken = default);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("store")]
            public interface IStore
            {
                Task<bool> TryGet(string key, {|MG0002:out|} string value, CancellationToken cancellationToken = default);
            }
            """);

    [Test]
    public Task EndpointFix_ThreeOverloads_AddsUniqueEndpointNames() =>
        Verify<EndpointNameAnalyzer>.CodeFixAsync<EndpointNameCodeFixer>("""
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

                /// <summary>Adds doubles.</summary>
                Task<double> {|MG0003:Add|}(double a, double b, CancellationToken cancellationToken = default);

                [Idempotent]
                Task<long> {|MG0003:Add|}(long a, long b, CancellationToken cancellationToken = default);

                Task<int> Add2(CancellationToken cancellationToken = default);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

                /// <summary>Adds doubles.</summary>
                [Endpoint("Add3")]
                Task<double> Add(double a, double b, CancellationToken cancellationToken = default);

                [Endpoint("Add4")]
                [Idempotent]
                Task<long> Add(long a, long b, CancellationToken cancellationToken = default);

                Task<int> Add2(CancellationToken cancellationToken = default);
            }
            """);

    [Test]
    public Task EndpointFix_ClashingEndpointAttribute_RewritesItsArgument() =>
        Verify<EndpointNameAnalyzer>.CodeFixAsync<EndpointNameCodeFixer>("""
            using System.Threading;
            using System.Threading.Tasks;

            [MicroGen.MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

                [MicroGen.Endpoint({|MG0003:"Add"|})]
                Task<int> Plus(int a, int b, CancellationToken cancellationToken = default);

                Task<int> {|MG0003:Add|}(long a, CancellationToken cancellationToken = default);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;

            [MicroGen.MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);

                [MicroGen.Endpoint("Add2")]
                Task<int> Plus(int a, int b, CancellationToken cancellationToken = default);

                [MicroGen.Endpoint("Add3")]
                Task<int> Add(long a, CancellationToken cancellationToken = default);
            }
            """);

    [Test]
    public Task CancellationTokenFix_MissingToken_AddsParameterAndUsing() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<CancellationTokenCodeFixer>("""
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> {|MG0006:Add|}(int a, int b);
                Task {|MG0006:Reset|}();
                Task<int> {|MG0006:Mul|}(
                    int a,
                    int b);
                Task<int> {|MG0006:Neg|}(int cancellationToken);
            }
            """, """
            using System.Threading;
            using System.Threading.Tasks;
            using MicroGen;

            [MicroService("calc")]
            public interface ICalc
            {
                Task<int> Add(int a, int b, CancellationToken cancellationToken = default);
                Task Reset(CancellationToken cancellationToken = default);
                Task<int> Mul(
                    int a,
                    int b,
                    CancellationToken cancellationToken = default);
                Task<int> Neg(int cancellationToken, CancellationToken ct = default);
            }
            """);

    [Test]
    public Task CancellationTokenFix_NoUsings_AddsFirstUsing() =>
        Verify<ContractMethodAnalyzer>.CodeFixAsync<CancellationTokenCodeFixer>("""
            [MicroGen.MicroService("calc")]
            public interface ICalc
            {
                System.Threading.Tasks.Task {|MG0006:Reset|}();
            }
            """, """
            using System.Threading;

            [MicroGen.MicroService("calc")]
            public interface ICalc
            {
                System.Threading.Tasks.Task Reset(CancellationToken cancellationToken = default);
            }
            """);
}
