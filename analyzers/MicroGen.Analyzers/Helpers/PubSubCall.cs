using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace MicroGen.Analyzers.Helpers;

/// <summary>
/// A call to MicroGen's typed pub/sub API: <c>IClient.PublishAsync&lt;TEvent&gt;</c>,
/// <c>IService.Subscribe&lt;TEvent&gt;</c> or MicroGen.Hosting's <c>MicroGenBuilder.AddSubscriber&lt;TEvent&gt;</c>
/// (called on those types or on a type implementing them, such as <c>MicroClient</c>).
/// </summary>
internal sealed class PubSubCall
{
    /// <summary>The name of the publishing method, used to find publish calls by syntax before binding them.</summary>
    public const string PublishName = "PublishAsync";

    private const string SubscribeName = "Subscribe";
    private const string AddSubscriberName = "AddSubscriber";

    private PubSubCall(IInvocationOperation invocation, bool isPublish, IArgumentOperation? topic)
    {
        Invocation = invocation;
        IsPublish = isPublish;
        TopicArgument = topic;
        Topic = topic is { Value.ConstantValue: { HasValue: true, Value: string text } } ? text : null;
    }

    /// <summary>The invocation.</summary>
    public IInvocationOperation Invocation { get; }

    /// <summary>The called method.</summary>
    public IMethodSymbol Method => Invocation.TargetMethod;

    /// <summary>Whether it publishes (else it subscribes).</summary>
    public bool IsPublish { get; }

    /// <summary>The <c>topic</c> argument.</summary>
    public IArgumentOperation? TopicArgument { get; }

    /// <summary>The topic when it is a non-null string constant, else null: only constants are checked.</summary>
    public string? Topic { get; }

    /// <summary>The event type (<c>TEvent</c>), or null while it does not bind.</summary>
    public ITypeSymbol? EventType =>
        Method.IsGenericMethod && Method.TypeArguments[0] is { TypeKind: not (TypeKind.TypeParameter or TypeKind.Error) } type ? type : null;

    /// <summary>The call when <paramref name="invocation"/> is one of the pub/sub methods, else null.</summary>
    public static PubSubCall? TryCreate(IInvocationOperation invocation, KnownSymbols symbols)
    {
        var method = invocation.TargetMethod;
        var api = method.Name switch
        {
            PublishName => symbols.Client,
            SubscribeName => symbols.Service,
            AddSubscriberName => symbols.HostingBuilder,
            _ => null,
        };
        if (api is null || method.IsStatic || !IsOrImplements(method.ContainingType, api))
        {
            return null;
        }
        IArgumentOperation? topic = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is { Name: "topic", Type.SpecialType: SpecialType.System_String })
            {
                topic = argument;
                break;
            }
        }
        return new PubSubCall(invocation, method.Name == PublishName, topic);
    }

    /// <summary>
    /// Where to report on the event type: the type argument when written (<c>Subscribe&lt;UserCreated&gt;</c>),
    /// else the argument it was inferred from (<c>PublishAsync("t", new UserCreated(…))</c>), else the method name.
    /// </summary>
    public Location LocateEventType()
    {
        var syntax = Invocation.Syntax is InvocationExpressionSyntax { Expression: var expression } ? expression : Invocation.Syntax;
        var name = syntax switch
        {
            MemberAccessExpressionSyntax access => access.Name,
            MemberBindingExpressionSyntax binding => binding.Name,
            SimpleNameSyntax simple => simple,
            _ => null,
        };
        if (name is GenericNameSyntax { TypeArgumentList.Arguments.Count: > 0 } generic)
        {
            return generic.TypeArgumentList.Arguments[0].GetLocation();
        }
        var typeParameter = Method.OriginalDefinition.TypeParameters[0];
        foreach (var argument in Invocation.Arguments)
        {
            if (argument.Parameter?.OriginalDefinition.Type is ITypeParameterSymbol parameterType && parameterType.Name == typeParameter.Name)
            {
                return argument.Syntax.GetLocation();
            }
        }
        return name?.GetLocation() ?? Invocation.Syntax.GetLocation();
    }

    private static bool IsOrImplements(INamedTypeSymbol type, INamedTypeSymbol api)
    {
        if (SymbolEqualityComparer.Default.Equals(type, api))
        {
            return true;
        }
        foreach (var implemented in type.AllInterfaces)
        {
            if (SymbolEqualityComparer.Default.Equals(implemented, api))
            {
                return true;
            }
        }
        return false;
    }
}
