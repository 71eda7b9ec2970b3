using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using MicroGen.Generator.Helpers;
using MicroGen.Generator.Model;

namespace MicroGen.Generator;

/// <summary>Emits client proxies, server dispatchers and codec routines for [MicroService] contracts.</summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class MicroServiceGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Parsing reads only declarations, so it waits behind a snapshot that an edit inside a method
        // body, a comment or whitespace leaves equal: typing in code re-runs nothing after it.
        var declarations = context.CompilationProvider
            .Select(static (compilation, _) => DeclarationSnapshot.Create(compilation))
            .WithComparer(DeclarationSnapshot.Comparer)
            .WithTrackingName(TrackingNames.Declarations)
            .Select(static (snapshot, ct) => Parser.ParseDeclarations(snapshot.Compilation, ct))
            .WithTrackingName(TrackingNames.Parse);

        // One model per [MicroService] interface: symbol-free, so a contract that did not change stays Cached.
        var contracts = declarations
            .SelectMany(static (model, _) => model.Contracts)
            .WithTrackingName(TrackingNames.Contract);

        context.RegisterSourceOutput(contracts, static (spc, contract) => Emitter.EmitContract(spc, contract));

        // [MicroEvent] types get codec routines like contract types.
        var events = declarations
            .SelectMany(static (model, _) => model.Events)
            .WithTrackingName(TrackingNames.Event);

        // The shared file: every contract's registration and every codec type, de-duplicated and sorted,
        // so that the output does not depend on the order Roslyn visits files in.
        var shared = contracts.Collect()
            .Combine(events.Collect())
            .Select(static (pair, _) => CreateSharedModel(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.Shared);

        context.RegisterSourceOutput(shared, static (spc, model) => Emitter.EmitShared(spc, model));
    }

    private static SharedModel CreateSharedModel(ImmutableArray<ContractModel> contracts, ImmutableArray<EventModel> events)
    {
        var registrations = contracts
            .Select(static c => new ContractRegistrationModel
            {
                InterfaceFullName = c.InterfaceFullName,
                DescriptorFullName = c.QualifiedNamespacePrefix + c.DescriptorName,
                ClientFullName = c.QualifiedNamespacePrefix + c.ClientName,
                DispatcherFullName = c.QualifiedNamespacePrefix + c.DispatcherName,
            })
            .GroupBy(static r => r.InterfaceFullName, StringComparer.Ordinal)
            .Select(static g => g.First())
            .OrderBy(static r => r.InterfaceFullName, StringComparer.Ordinal);

        var types = new Dictionary<string, CodecTypeModel>(StringComparer.Ordinal);
        foreach (var type in contracts.SelectMany(static c => c.CodecTypes).Concat(events.SelectMany(static e => e.CodecTypes)))
        {
            if (!types.ContainsKey(type.FullName))
            {
                types.Add(type.FullName, type);
            }
        }

        return new SharedModel
        {
            Contracts = registrations.ToEquatableArray(),
            CodecTypes = types.Values.OrderBy(static t => t.FullName, StringComparer.Ordinal).ToEquatableArray(),
        };
    }
}
