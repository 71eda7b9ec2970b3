using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace MicroGen.Analyzers.Helpers;

/// <summary>A <c>PublishAsync&lt;TEvent&gt;</c> call on a constant topic: what it publishes and where.</summary>
internal sealed class Publication
{
    public Publication(string topic, ITypeSymbol eventType, Location location)
    {
        Topic = topic;
        EventType = eventType;
        Location = location;
    }

    /// <summary>The topic constant.</summary>
    public string Topic { get; }

    /// <summary>The published event type (<c>TEvent</c>).</summary>
    public ITypeSymbol EventType { get; }

    /// <summary>Where the event type is written or inferred.</summary>
    public Location Location { get; }
}

/// <summary>
/// The events a compilation publishes on each constant topic, for MG0020, which checks a
/// subscription against them as the subscription's file is analyzed (so the IDE shows it as you type,
/// which a compilation-end report would not).
/// </summary>
/// <remarks>
/// Kept cheap because it runs on every edit: nothing is built until a subscription with a constant
/// topic asks; then one syntax pass over the compilation finds the invocations named
/// <c>PublishAsync</c> with at least two arguments, and only those whose topic is that same string
/// literal, or not a literal at all (a <c>const</c>, which needs binding to read), are bound, each at
/// most once per compilation. A file without a publish call is never bound.
/// </remarks>
internal sealed class PublishIndex
{
    // As ContractTypeIndex: the factory only creates the Lazy, which builds exactly once.
    private static readonly ConditionalWeakTable<Compilation, Lazy<PublishIndex>> s_cache = new();

    private readonly Compilation _compilation;
    private readonly KnownSymbols _symbols;
    // Candidates by topic literal, and those whose topic is not a literal; each list in source order.
    private readonly Dictionary<string, List<Candidate>> _byLiteral = new(StringComparer.Ordinal);
    private readonly List<Candidate> _unresolved = new();
    private readonly ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();

    private PublishIndex(KnownSymbols symbols)
    {
        _compilation = symbols.Compilation;
        _symbols = symbols;
    }

    /// <summary>The index of <paramref name="symbols"/>' compilation.</summary>
    /// <remarks>Built and bound without the caller's token, as <see cref="ContractTypeIndex.Get"/> explains.</remarks>
    public static PublishIndex Get(KnownSymbols symbols, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return s_cache.GetValue(symbols.Compilation, _ => new Lazy<PublishIndex>(() => Build(symbols), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    /// <summary>The publications on <paramref name="topic"/>, in source order (files in compilation order).</summary>
    public List<Publication> PublishedOn(string topic, CancellationToken cancellationToken)
    {
        var found = new List<(int Order, Publication Publication)>();
        if (_byLiteral.TryGetValue(topic, out var literal))
        {
            Collect(literal, topic, found, cancellationToken);
        }
        Collect(_unresolved, topic, found, cancellationToken);
        found.Sort(static (a, b) => a.Order.CompareTo(b.Order));
        return found.ConvertAll(static f => f.Publication);
    }

    private static void Collect(List<Candidate> candidates, string topic, List<(int Order, Publication Publication)> found, CancellationToken cancellationToken)
    {
        foreach (var candidate in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (candidate.Bound.Value is { } publication && string.Equals(publication.Topic, topic, StringComparison.Ordinal))
            {
                found.Add((candidate.Order, publication));
            }
        }
    }

    private static PublishIndex Build(KnownSymbols symbols)
    {
        var index = new PublishIndex(symbols);
        var order = 0;
        foreach (var tree in symbols.Compilation.SyntaxTrees)
        {
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not InvocationExpressionSyntax { ArgumentList.Arguments.Count: >= 2 } invocation || CalleeName(invocation) != PubSubCall.PublishName)
                {
                    continue;
                }
                var literal = LiteralTopic(invocation);
                var candidate = new Candidate(index, invocation, order++);
                if (literal is null)
                {
                    index._unresolved.Add(candidate);
                }
                else
                {
                    if (!index._byLiteral.TryGetValue(literal, out var list))
                    {
                        index._byLiteral.Add(literal, list = new List<Candidate>());
                    }
                    list.Add(candidate);
                }
            }
        }
        return index;
    }

    private Publication? Bind(InvocationExpressionSyntax invocation)
    {
        var model = _models.GetOrAdd(invocation.SyntaxTree, GetSemanticModel);
        if (model.GetOperation(invocation) is IInvocationOperation operation &&
            PubSubCall.TryCreate(operation, _symbols) is { IsPublish: true, Topic: { } topic, EventType: { } eventType } call)
        {
            return new Publication(topic, eventType, call.LocateEventType());
        }
        return null;
    }

    // RS1030 warns because a fresh semantic model rebinds a whole file. Here a model is asked for only
    // for the few files that contain a PublishAsync call, once per compilation, and only the
    // invocations themselves are bound (GetOperation binds the enclosing member, not the file); under
    // the analyzer driver, Compilation.GetSemanticModel also returns the driver's cached model. The
    // alternative, collecting calls and reporting at compilation end, would hide MG0020 in the IDE.
#pragma warning disable RS1030 // Do not invoke Compilation.GetSemanticModel() method within a diagnostic analyzer
    private SemanticModel GetSemanticModel(SyntaxTree tree) => _compilation.GetSemanticModel(tree);
#pragma warning restore RS1030

    private static string? CalleeName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The topic when the call passes it as a string literal (the first argument, or named <c>topic:</c>), else null.</summary>
    private static string? LiteralTopic(InvocationExpressionSyntax invocation)
    {
        ArgumentSyntax? topic = null;
        foreach (var argument in invocation.ArgumentList.Arguments)
        {
            if (argument.NameColon?.Name.Identifier.ValueText == "topic")
            {
                topic = argument;
                break;
            }
        }
        topic ??= invocation.ArgumentList.Arguments[0].NameColon is null ? invocation.ArgumentList.Arguments[0] : null;
        return topic?.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)
            ? literal.Token.ValueText
            : null;
    }

    /// <summary>An invocation named <c>PublishAsync</c>, bound on first use.</summary>
    private sealed class Candidate
    {
        public Candidate(PublishIndex index, InvocationExpressionSyntax invocation, int order)
        {
            Order = order;
            Bound = new Lazy<Publication?>(() => index.Bind(invocation), LazyThreadSafetyMode.ExecutionAndPublication);
        }

        /// <summary>The position of the call in the compilation (files in compilation order, then source order).</summary>
        public int Order { get; }

        /// <summary>The publication, or null when the call is not a MicroGen publish on a constant topic.</summary>
        public Lazy<Publication?> Bound { get; }
    }
}
