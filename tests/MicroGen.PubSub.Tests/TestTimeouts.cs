using System;
using System.Threading.Tasks;

namespace MicroGen.PubSub.Tests;

internal static class TestTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Default);

    public static Task Bounded(this Task task) => task.WaitAsync(Default);

    public static Task<T> Bounded<T>(this ValueTask<T> task) => task.AsTask().WaitAsync(Default);

    public static Task Bounded(this ValueTask task) => task.AsTask().WaitAsync(Default);

    public static Task<T> Bounded<T>(this Task<T> task, TimeSpan timeout) => task.WaitAsync(timeout);

    public static Task Bounded(this Task task, TimeSpan timeout) => task.WaitAsync(timeout);
}
