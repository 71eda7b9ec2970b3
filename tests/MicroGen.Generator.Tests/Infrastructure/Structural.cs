using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace MicroGen.Generator.Tests.Infrastructure;

/// <summary>
/// Structural comparison for round-trip assertions: public properties and fields recursively,
/// sequences element by element, dictionaries by key; <see cref="DateTimeOffset"/> must keep its
/// offset and <see cref="DateTime"/> its <see cref="DateTime.Kind"/>, floating-point NaN equals
/// NaN. Returns the paths that differ.
/// </summary>
internal static class Structural
{
    /// <param name="expected">The value sent.</param>
    /// <param name="actual">The value received.</param>
    /// <param name="carried">
    /// What a <see cref="DateTime"/> of <paramref name="expected"/> is documented to arrive as (a
    /// codec may normalise its Kind); identity when null.
    /// </param>
    public static List<string> Differences(object? expected, object? actual, Func<DateTime, DateTime>? carried = null)
    {
        var differences = new List<string>();
        new Comparer(carried ?? (static d => d), differences).Compare(expected, actual, "value", depth: 0);
        return differences;
    }

    private sealed class Comparer(Func<DateTime, DateTime> carried, List<string> differences)
    {
        public void Compare(object? expected, object? actual, string path, int depth)
        {
            if (differences.Count > 20)
            {
                return;
            }
            if (expected is null || actual is null)
            {
                if (expected is not null || actual is not null)
                {
                    differences.Add($"{path}: expected {Show(expected)} but was {Show(actual)}");
                }
                return;
            }
            if (depth > 200)
            {
                differences.Add($"{path}: too deep to compare");
                return;
            }
            var type = expected.GetType();
            if (type != actual.GetType() && !(expected is IEnumerable && actual is IEnumerable))
            {
                differences.Add($"{path}: expected type {type.Name} but was {actual.GetType().Name}");
                return;
            }
            switch (expected)
            {
                case DateTimeOffset e:
                    if (!e.EqualsExact((DateTimeOffset)actual))
                    {
                        differences.Add($"{path}: expected {e:O} but was {(DateTimeOffset)actual:O}");
                    }
                    return;
                case DateTime e:
                    var want = carried(e);
                    var got = (DateTime)actual;
                    if (want.Ticks != got.Ticks || want.Kind != got.Kind)
                    {
                        differences.Add($"{path}: expected {want:O} ({want.Kind}, sent as {e:O} {e.Kind}) but was {got:O} ({got.Kind})");
                    }
                    return;
                case string or decimal or Guid or TimeSpan or Enum or Google.Protobuf.IMessage:
                case var _ when type.IsPrimitive:
                    if (!expected.Equals(actual))
                    {
                        differences.Add($"{path}: expected {Show(expected)} but was {Show(actual)}");
                    }
                    return;
                case IDictionary e:
                    var a = (IDictionary)actual;
                    if (e.Count != a.Count)
                    {
                        differences.Add($"{path}: expected {e.Count} entries but was {a.Count}");
                        return;
                    }
                    foreach (DictionaryEntry entry in e)
                    {
                        if (!a.Contains(entry.Key))
                        {
                            differences.Add($"{path}: missing key {entry.Key}");
                            continue;
                        }
                        Compare(entry.Value, a[entry.Key], $"{path}[{entry.Key}]", depth + 1);
                    }
                    return;
                case IEnumerable e when type.GetInterfaces().Any(static i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)):
                    CompareReadOnlyDictionary(e, (IEnumerable)actual, path, depth);
                    return;
                case IEnumerable e:
                    var left = e.Cast<object?>().ToList();
                    var right = ((IEnumerable)actual).Cast<object?>().ToList();
                    if (left.Count != right.Count)
                    {
                        differences.Add($"{path}: expected {left.Count} items but was {right.Count}");
                        return;
                    }
                    for (var i = 0; i < left.Count; i++)
                    {
                        Compare(left[i], right[i], $"{path}[{i}]", depth + 1);
                    }
                    return;
            }
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(static p => p.GetIndexParameters().Length == 0))
            {
                Compare(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", depth + 1);
            }
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                Compare(field.GetValue(expected), field.GetValue(actual), $"{path}.{field.Name}", depth + 1);
            }
        }

        private void CompareReadOnlyDictionary(IEnumerable expected, IEnumerable actual, string path, int depth)
        {
            static Dictionary<object, object?> ToMap(IEnumerable entries)
            {
                var map = new Dictionary<object, object?>();
                foreach (var entry in entries)
                {
                    var type = entry!.GetType();
                    map[type.GetProperty("Key")!.GetValue(entry)!] = type.GetProperty("Value")!.GetValue(entry);
                }
                return map;
            }
            var e = ToMap(expected);
            var a = ToMap(actual);
            if (e.Count != a.Count)
            {
                differences.Add($"{path}: expected {e.Count} entries but was {a.Count}");
                return;
            }
            foreach (var (key, value) in e)
            {
                if (!a.TryGetValue(key, out var other))
                {
                    differences.Add($"{path}: missing key {key}");
                    continue;
                }
                Compare(value, other, $"{path}[{key}]", depth + 1);
            }
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        _ => value.ToString() ?? "?",
    };
}
