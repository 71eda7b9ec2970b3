using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using MicroGen.Analyzers.Helpers;
using MicroGen.Generator;

namespace MicroGen.Analyzers;

/// <summary>
/// Publishing and subscribing: event types without codec routines (MG0018), topic constants that are
/// not valid topic names (MG0019), and subscriptions whose event type cannot read what the same
/// compilation publishes on that topic (MG0020).
/// </summary>
/// <remarks>
/// Keyed on <c>IClient.PublishAsync&lt;TEvent&gt;</c>, <c>IService.Subscribe&lt;TEvent&gt;</c> and
/// MicroGen.Hosting's <c>MicroGenBuilder.AddSubscriber&lt;TEvent&gt;</c> (see <see cref="PubSubCall"/>).
/// The handler needs no check of its own: it is a <c>Func&lt;TEvent, CancellationToken, Task&gt;</c>,
/// so the compiler rejects one that does not fit the event.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PubSubAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.UnsupportedEventType,
        DiagnosticDescriptors.InvalidTopic,
        DiagnosticDescriptors.SubscribedEventMismatch);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (!KnownSymbols.TryCreate(start.Compilation, out var symbols) || !symbols.HasPubSub)
            {
                return;
            }
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols symbols)
    {
        if (PubSubCall.TryCreate((IInvocationOperation)context.Operation, symbols) is not { } call)
        {
            return;
        }

        // The topic (MG0019): only a constant can be checked.
        if (call.TopicArgument is { Value.ConstantValue: { HasValue: true } constant } topic && !ContractRules.IsValidTopic(constant.Value as string))
        {
            var text = constant.Value as string;
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.InvalidTopic, topic.Value.Syntax.GetLocation(), text ?? "null", SuggestTopic(text)));
        }

        if (call.EventType is not { } eventType)
        {
            return;
        }

        // The event type (MG0018).
        if (!IsCarriedEvent(eventType, symbols, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.UnsupportedEventType, call.LocateEventType(), ContractMembers.TypeName(eventType), call.Method.Name));
            return;
        }

        // What is published on the topic (MG0020).
        if (!call.IsPublish && call.Topic is { } subscribedTopic)
        {
            CheckPublishers(context, symbols, call, subscribedTopic, eventType);
        }
    }

    private static void CheckPublishers(OperationAnalysisContext context, KnownSymbols symbols, PubSubCall subscription, string topic, ITypeSymbol eventType)
    {
        foreach (var publication in PublishIndex.Get(symbols, context.CancellationToken).PublishedOn(topic, context.CancellationToken))
        {
            // A published type without codec routines is MG0018's, at the publish call.
            if (!IsCarriedEvent(publication.EventType, symbols, context.CancellationToken) ||
                ContractRules.FindEventMismatch(publication.EventType, eventType) is not { } mismatch)
            {
                continue;
            }
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.SubscribedEventMismatch,
                subscription.LocateEventType(),
                topic,
                ContractMembers.TypeName(eventType),
                ContractMembers.TypeName(publication.EventType),
                Describe(publication.Location),
                Explain(mismatch)));
            // The first publisher that does not fit is enough: fixing the type or the topic settles the rest.
            return;
        }
    }

    private static bool IsCarriedEvent(ITypeSymbol type, KnownSymbols symbols, CancellationToken cancellationToken) =>
        symbols.IsMicroEvent(type) ||
        ContractRules.IsProtobufMessage(type) ||
        ContractRules.GetBuiltinRoutineName(type) is not null ||
        ContractTypeIndex.Get(symbols, cancellationToken).Contains(type);

    /// <summary>A location as the compiler writes it: <c>Publisher.cs(12,31)</c>.</summary>
    private static string Describe(Location location)
    {
        var span = location.GetLineSpan();
        return string.Format(
            CultureInfo.InvariantCulture, "{0}({1},{2})",
            Path.GetFileName(span.Path), span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
    }

    private static string Explain(EventMismatch mismatch)
    {
        var published = ContractMembers.TypeName(mismatch.Published);
        var subscribed = ContractMembers.TypeName(mismatch.Subscribed);
        return mismatch.Kind switch
        {
            EventMismatchKind.DifferentEncoding => ContractRules.IsProtobufMessage(mismatch.Published)
                ? $"'{published}' is a protobuf message and '{subscribed}' is not, so events arrive in a content type the subscriber cannot read"
                : $"'{subscribed}' is a protobuf message and '{published}' is not, so events arrive in a content type the subscriber cannot read",
            EventMismatchKind.DifferentProtobufMessage => "they are different protobuf messages, so fields are read by number into the wrong message",
            EventMismatchKind.MissingMember => $"'{published}' has no member '{mismatch.Member}', so '{subscribed}.{mismatch.Member}' is always left at its default",
            _ when mismatch.Path is null => $"a '{published}' cannot be decoded as a '{subscribed}'",
            _ => $"member '{mismatch.Path}' is written as '{published}' but read as '{subscribed}', so decoding fails",
        };
    }

    private static string SuggestTopic(string? topic)
    {
        var builder = new System.Text.StringBuilder();
        foreach (var c in (topic ?? string.Empty).Trim())
        {
            var mapped = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' ? c : '.';
            if (mapped == '.' && (builder.Length == 0 || builder[builder.Length - 1] == '.'))
            {
                continue;
            }
            builder.Append(mapped);
        }
        var suggestion = builder.ToString().Trim('.');
        return ContractRules.IsValidTopic(suggestion) ? suggestion : "user.created";
    }
}
