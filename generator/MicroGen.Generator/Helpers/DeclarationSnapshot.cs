using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace MicroGen.Generator.Helpers;

/// <summary>
/// What a compilation declares, as the gate in front of the generator's parse step: two snapshots
/// are equal when no edit between them can change a symbol the generator reads, so that typing
/// inside a method body re-runs nothing.
/// </summary>
/// <remarks>
/// Roslyn re-runs every <c>ForAttributeWithMetadataName</c> transform on any edit, since any edit
/// may change semantics; for 500 contracts that is about half a full run per keystroke. The
/// generator reads only declarations (contract signatures, data members, attributes, constants),
/// so it compares what can change them: the syntax trees with
/// <see cref="SyntaxTree.IsEquivalentTo(SyntaxTree, bool)"/> at top level (which ignores method and
/// accessor bodies, non-constant field initializers, comments and whitespace, but not
/// <c>#nullable</c> directives), parse options, references, compilation options and assembly name.
/// <para>
/// When two snapshots are equal Roslyn keeps the older one. So that it pins nothing the current
/// compilation does not hold already, the older one then takes the newer one's trees (top-level
/// equivalence is an equivalence relation, so later edits compare the same way against them), and
/// it holds its compilation only weakly: the parse step runs only on a new snapshot, whose
/// compilation the driver holds for the whole run.
/// </para>
/// </remarks>
internal sealed class DeclarationSnapshot
{
    private static long s_lastSequence;

    private readonly ImmutableArray<MetadataReference> _references;
    private readonly CompilationOptions _options;
    private readonly string? _assemblyName;

    // Trees and compilation change together, in one write, when an equal newer snapshot is seen.
    private volatile Source _source;

    private DeclarationSnapshot(Compilation compilation)
    {
        _source = new Source(compilation.SyntaxTrees.ToImmutableArray(), new WeakReference<Compilation>(compilation), System.Threading.Interlocked.Increment(ref s_lastSequence));
        _references = compilation.References.ToImmutableArray();
        _options = compilation.Options;
        _assemblyName = compilation.AssemblyName;
    }

    /// <summary>Compares snapshots by what they declare, not by identity.</summary>
    public static IEqualityComparer<DeclarationSnapshot> Comparer { get; } = new DeclarationComparer();

    /// <summary>Takes the snapshot of one compilation.</summary>
    public static DeclarationSnapshot Create(Compilation compilation) => new(compilation);

    /// <summary>The compilation the snapshot was taken of, for the parse step that runs on it.</summary>
    /// <exception cref="InvalidOperationException">The compilation was collected, which means a step read an old snapshot.</exception>
    public Compilation Compilation => _source.Compilation.TryGetTarget(out var compilation)
        ? compilation
        : throw new InvalidOperationException("MicroGen: a declaration snapshot outlived its compilation; only a new snapshot may be parsed");

    private sealed class DeclarationComparer : IEqualityComparer<DeclarationSnapshot>
    {
        public bool Equals(DeclarationSnapshot? x, DeclarationSnapshot? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }
            if (x is null || y is null)
            {
                return false;
            }
            var before = x._source;
            var after = y._source;
            if (before.Trees.Length != after.Trees.Length ||
                x._references.Length != y._references.Length ||
                !string.Equals(x._assemblyName, y._assemblyName, StringComparison.Ordinal) ||
                !x._options.Equals(y._options))
            {
                return false;
            }
            for (var i = 0; i < x._references.Length; i++)
            {
                // The IDE and the compiler keep the same reference objects while a project's references stay as they are.
                if (!ReferenceEquals(x._references[i], y._references[i]))
                {
                    return false;
                }
            }
            for (var i = 0; i < before.Trees.Length; i++)
            {
                if (!SameDeclarations(before.Trees[i], after.Trees[i]))
                {
                    return false;
                }
            }
            // Equal: the older snapshot, the one Roslyn keeps, moves on to the newer one's trees.
            if (before.Sequence < after.Sequence)
            {
                x._source = after;
            }
            else if (after.Sequence < before.Sequence)
            {
                y._source = before;
            }
            return true;
        }

        // Never used as a dictionary key: Roslyn only asks whether a new value equals the old one.
        public int GetHashCode(DeclarationSnapshot obj) => obj._references.Length;

        private static bool SameDeclarations(SyntaxTree before, SyntaxTree after)
        {
            if (ReferenceEquals(before, after))
            {
                return true;
            }
            return string.Equals(before.FilePath, after.FilePath, StringComparison.Ordinal) &&
                before.Options.Equals(after.Options) &&
                // Compares #nullable directives too (they change annotations without changing a
                // token); other directives either change the active tokens or nothing declared.
                after.IsEquivalentTo(before, topLevel: true);
        }
    }

    /// <summary>The trees a snapshot compares by and the compilation they came from; the newer, the larger <see cref="Sequence"/>.</summary>
    private sealed class Source(ImmutableArray<SyntaxTree> trees, WeakReference<Compilation> compilation, long sequence)
    {
        public ImmutableArray<SyntaxTree> Trees { get; } = trees;

        public WeakReference<Compilation> Compilation { get; } = compilation;

        public long Sequence { get; } = sequence;
    }
}
