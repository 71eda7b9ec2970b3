using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MicroGen.Generator;

// Times MicroGen's source generator over a large compilation: 500 [MicroService] interfaces of ten
// methods each (each with its own request and reply records), a full run, then an incremental
// re-run after a one-line edit in an unrelated file, whose tracked steps must all be Cached/Unchanged,
// and a re-run after a declaration edit there (a method added), which parses every contract again.
// --baseline also times a trivial generator with the same ForAttributeWithMetadataName calls whose
// transform returns only the type's name: Roslyn's own floor for the same runs. --check compiles
// the generated code; --load also emits it, loads it into this process and times its module
// initializer (the start-up cost of the registrations in a process that uses these contracts).
//
//   dotnet run -c Release --project bench/MicroGen.Bench.Generator [-- --contracts 500 --iterations 5 --check --baseline --load]

var contracts = 500;
var iterations = 5;
var check = false;
var baseline = false;
var load = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--contracts": contracts = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--iterations": iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--check": check = true; break;
        case "--baseline": baseline = true; break;
        case "--load": load = check = true; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

const int MethodsPerContract = 10;
// The generator's tracking names (MicroGen.Generator.TrackingNames): the declaration gate, the parse
// behind it, one step per contract, one shared.
string[] trackedSteps = ["Declarations", "Parse", "Contract", "Shared"];

var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
var trees = new List<SyntaxTree>(contracts + 1);
for (var c = 0; c < contracts; c++)
{
    trees.Add(CSharpSyntaxTree.ParseText(ContractSource(c), parseOptions, path: $"Contract{c}.cs", encoding: Encoding.UTF8));
}
var other = CSharpSyntaxTree.ParseText(OtherSource(1), parseOptions, path: "Other.cs", encoding: Encoding.UTF8);
trees.Add(other);
var references = References();
Console.WriteLine($"MicroGen generator benchmark: {contracts} [MicroService] interfaces x {MethodsPerContract} methods, {references.Count} references, {Environment.ProcessorCount} cores, .NET {Environment.Version}");

var microGen = new Series("MicroGen");
var floor = new Series("baseline: FAWMN returning the name");
var failures = 0;
GeneratorDriverRunResult? lastFull = null;
for (var iteration = 0; iteration <= iterations; iteration++)
{
    var rerun = Measure(new MicroServiceGenerator(), iteration > 0 ? microGen : null, out var fullRun, out var firstFull, out var firstInc);
    if (iteration == 0)
    {
        lastFull = fullRun;
        Console.WriteLine(Inv($"first run (includes JIT): full {firstFull:N0} ms; incremental {firstInc:N1} ms"));
        var generated = lastFull.GeneratedTrees;
        Console.WriteLine(Inv($"generated {generated.Length} files, {generated.Sum(t => t.Length) / 1024.0:N0} KiB of source; generator diagnostics: {lastFull.Diagnostics.Length}"));
        failures += ReportSteps(rerun, trackedSteps, generated.Length > 0);
    }
    if (baseline)
    {
        Measure(new BaselineGenerator(), iteration > 0 ? floor : null, out _, out _, out _);
    }
}

var fullMedian = Median(microGen.Full.Select(f => f.Ms));
Console.WriteLine();
Console.WriteLine($"| run ({iterations} iterations after a warm-up one) | median time | median allocated | % of MicroGen's full run |");
Console.WriteLine("|---|---:|---:|---:|");
foreach (var series in baseline ? new[] { microGen, floor } : new[] { microGen })
{
    var prefix = series == floor ? series.Name + ": " : string.Empty;
    Row(prefix + Inv($"full generation, {contracts} contracts x {MethodsPerContract} methods"), series.Full);
    Row(prefix + "incremental re-run after a one-line edit elsewhere", series.Incremental);
    Row(prefix + "the same, declarations already bound by the compiler", series.Bound);
    Row(prefix + "incremental re-run after a method is declared elsewhere", series.Declared);
}

void Row(string name, List<(double Ms, long Bytes)> runs)
{
    var ms = Median(runs.Select(f => f.Ms));
    Console.WriteLine(Inv($"| {name} | {ms:N1} ms | {Median(runs.Select(f => (double)f.Bytes)) / 1048576.0:N2} MiB | {100 * ms / fullMedian:N1} % |"));
}

// Full run, incremental re-run, and the re-run over bound declarations, on a fresh compilation.
GeneratorRunResult Measure(IIncrementalGenerator generator, Series? into, out GeneratorDriverRunResult fullRun, out double fullMs, out double incMs)
{
    // A fresh compilation each time, so nothing bound by the previous run is reused.
    var compilation = CSharpCompilation.Create("Bench.Contracts", trees, references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    GeneratorDriver driver = CSharpGeneratorDriver.Create(
        [generator.AsSourceGenerator()],
        parseOptions: parseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    var (fMs, fullBytes) = Time(() => driver = driver.RunGenerators(compilation));
    fullRun = driver.GetRunResult();

    // One line changed in a file that declares no contract.
    var edited = compilation.ReplaceSyntaxTree(other, other.WithChangedText(other.GetText().Replace(OtherSource(1).IndexOf("=> 1", StringComparison.Ordinal) + 3, 1, "2")));
    var (iMs, incBytes) = Time(() => driver = driver.RunGenerators(edited));
    var rerun = driver.GetRunResult().Results[0];

    // The same edit again, on a compilation whose declarations the compiler has already bound, as
    // it has in the IDE by the time it runs generators: what is left is the generator's own work.
    // (Roslyn re-runs a ForAttributeWithMetadataName transform for every contract on any edit,
    // since semantics may have changed; only the steps after it are Cached.)
    var editedAgain = edited.ReplaceSyntaxTree(edited.SyntaxTrees.Last(), other.WithChangedText(other.GetText().Replace(OtherSource(1).IndexOf("=> 1", StringComparison.Ordinal) + 3, 1, "3")));
    _ = editedAgain.GetDeclarationDiagnostics();
    var (boundMs, boundBytes) = Time(() => driver = driver.RunGenerators(editedAgain));

    // A one-line declaration edit in the same unrelated file: a new method, which may change what any name
    // binds to, so MicroGen parses every contract again (the models come out equal, the outputs Cached).
    var declared = editedAgain.ReplaceSyntaxTree(editedAgain.SyntaxTrees.Last(), other.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(OtherSource(3).Replace("}\n", "    public static int Twice(int x) => 2 * x;\n}\n", StringComparison.Ordinal))));
    var (declaredMs, declaredBytes) = Time(() => driver = driver.RunGenerators(declared));

    fullMs = fMs;
    incMs = iMs;
    into?.Full.Add((fMs, fullBytes));
    into?.Incremental.Add((iMs, incBytes));
    into?.Bound.Add((boundMs, boundBytes));
    into?.Declared.Add((declaredMs, declaredBytes));
    return rerun;
}

if (check && lastFull is not null)
{
    var compilation = CSharpCompilation.Create("Bench.Contracts", trees.Concat(lastFull.GeneratedTrees), references,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
    Console.WriteLine($"check: the generated code compiles with {errors.Length} error(s)");
    foreach (var error in errors.Take(10))
    {
        Console.WriteLine($"  {error}");
    }
    failures += errors.Length > 0 ? 1 : 0;
    if (load)
    {
        using var image = new MemoryStream();
        var emit = compilation.Emit(image);
        if (!emit.Success)
        {
            Console.WriteLine("load: the generated code did not emit");
            return 1;
        }
        var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image.ToArray()));
        var jit0 = System.Runtime.JitInfo.GetCompiledMethodCount();
        var jitTime0 = System.Runtime.JitInfo.GetCompilationTime();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        Console.WriteLine(Inv($"load: the generated module initializer ran in {sw.Elapsed.TotalMilliseconds:N1} ms and JIT-compiled {System.Runtime.JitInfo.GetCompiledMethodCount() - jit0} methods ({(System.Runtime.JitInfo.GetCompilationTime() - jitTime0).TotalMilliseconds:N1} ms of JIT)"));
    }
}
return failures == 0 ? 0 : 1;

static (double Ms, long Bytes) Time(Action run)
{
    var before = GC.GetTotalAllocatedBytes(precise: true);
    var watch = Stopwatch.StartNew();
    run();
    var ms = watch.Elapsed.TotalMilliseconds;
    return (ms, GC.GetTotalAllocatedBytes(precise: true) - before);
}

static int ReportSteps(GeneratorRunResult rerun, string[] names, bool expectSteps)
{
    var failures = 0;
    foreach (var name in names)
    {
        if (!rerun.TrackedSteps.TryGetValue(name, out var steps))
        {
            Console.WriteLine($"incremental re-run: tracked step '{name}' not found{(expectSteps ? " (FAIL)" : " (the generator in this build emits nothing)")}");
            failures += expectSteps ? 1 : 0;
            continue;
        }
        var reasons = steps.SelectMany(s => s.Outputs).GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());
        var bad = reasons.Where(r => r.Key is not (IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged)).Sum(r => r.Value);
        Console.WriteLine($"incremental re-run: step '{name}': {string.Join(", ", reasons.OrderBy(r => r.Key).Select(r => $"{r.Value} {r.Key}"))}{(bad == 0 ? " (all Cached/Unchanged: OK)" : " (FAIL)")}");
        failures += bad == 0 ? 0 : 1;
    }
    var outputs = rerun.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs).GroupBy(o => o.Reason).ToDictionary(g => g.Key, g => g.Count());
    Console.WriteLine($"incremental re-run: source outputs: {string.Join(", ", outputs.OrderBy(r => r.Key).Select(r => $"{r.Value} {r.Key}"))}");
    return failures;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static List<MetadataReference> References()
{
    var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
        .Concat([typeof(MicroGen.MicroServiceAttribute).Assembly.Location, typeof(MessagePack.MessagePackSerializer).Assembly.Location, typeof(Google.Protobuf.IMessage).Assembly.Location,
                 typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location])
        .Distinct(StringComparer.Ordinal);
    return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
}

static string ContractSource(int c)
{
    var source = new StringBuilder();
    source.AppendLine("using System.Collections.Generic;");
    source.AppendLine("using System.Threading;");
    source.AppendLine("using System.Threading.Tasks;");
    source.AppendLine("using MicroGen;");
    source.AppendLine(Inv($"namespace Bench.Contracts.N{c};"));
    source.AppendLine(Inv($"[MicroService(\"service{c}\", Version = \"1.0.0\")]"));
    source.AppendLine(Inv($"public interface IService{c}"));
    source.AppendLine("{");
    for (var m = 0; m < MethodsPerContract; m++)
    {
        source.AppendLine(m switch
        {
            0 => Inv($"    Task<Reply{c}> Get(Request{c} request, CancellationToken cancellationToken = default);"),
            1 => Inv($"    Task<List<Reply{c}>> List(int skip, int take, CancellationToken cancellationToken = default);"),
            2 => Inv($"    Task Delete(long id, CancellationToken cancellationToken = default);"),
            3 => Inv($"    ValueTask<int> Count(CancellationToken cancellationToken = default);"),
            _ => Inv($"    Task<Reply{c}> Method{m}(Request{c} request, string note, CancellationToken cancellationToken = default);"),
        });
    }
    source.AppendLine("}");
    source.AppendLine(Inv($"public sealed record Request{c} {{ public required string Name {{ get; init; }} public int Count {{ get; init; }} public List<string>? Tags {{ get; init; }} }}"));
    source.AppendLine(Inv($"public sealed record Reply{c}(string Message, long Id, double Score);"));
    return source.ToString();
}

static string OtherSource(int value) => Inv($"namespace Bench.Contracts;\npublic static class Other\n{{\n    public static int Value => {value};\n}}\n");

static string Inv(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);

sealed record Series(string Name)
{
    public List<(double Ms, long Bytes)> Full { get; } = [];
    public List<(double Ms, long Bytes)> Incremental { get; } = [];
    public List<(double Ms, long Bytes)> Bound { get; } = [];
    public List<(double Ms, long Bytes)> Declared { get; } = [];
}

/// <summary>
/// The floor: MicroGen's two ForAttributeWithMetadataName calls with transforms that return only the
/// type's name (an equatable string, so later steps are Cached too) and no output.
/// </summary>
sealed class BaselineGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var contracts = context.SyntaxProvider.ForAttributeWithMetadataName(
            "MicroGen.MicroServiceAttribute", static (node, _) => node is InterfaceDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name);
        var events = context.SyntaxProvider.ForAttributeWithMetadataName(
            "MicroGen.MicroEventAttribute", static (node, _) => node is TypeDeclarationSyntax, static (ctx, _) => ctx.TargetSymbol.Name);
        context.RegisterSourceOutput(contracts.Collect().Combine(events.Collect()), static (_, _) => { });
    }
}
