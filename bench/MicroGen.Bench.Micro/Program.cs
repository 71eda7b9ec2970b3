using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/MicroGen.Bench.Micro -- --filter '*'   (add --job short for a quick pass)
BenchmarkSwitcher.FromAssembly(typeof(MicroGen.Bench.Micro.CodecBenchmarks).Assembly).Run(args);
