using System;
using System.IO;

namespace MicroGen.Analyzers.Tests.Infrastructure;

/// <summary>The repository root, found by walking up from the test assembly to <c>MicroGen.sln</c>.</summary>
internal static class RepositoryRoot
{
    /// <summary>The repository root's full path.</summary>
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "MicroGen.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("MicroGen.sln not found above " + AppContext.BaseDirectory);
    }
}
