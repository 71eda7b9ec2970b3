using System;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace MicroGen.Generator.Helpers;

/// <summary>
/// A <see cref="StringBuilder"/> that indents: each line written gets the current indentation,
/// blocks open with <see cref="OpenBlock"/> and close with <see cref="CloseBlock"/>.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder _builder = new();

    /// <summary>The current indentation level.</summary>
    public int Indentation { get; private set; }

    /// <summary>Writes one line (or several, each indented) at the current indentation.</summary>
    public SourceWriter WriteLine(string text)
    {
        if (text.IndexOf('\n') < 0)
        {
            WriteIndentedLine(text);
            return this;
        }
        foreach (var line in text.Replace("\r\n", "\n").Split('\n'))
        {
            WriteIndentedLine(line);
        }
        return this;
    }

    /// <summary>Writes an empty line.</summary>
    public SourceWriter WriteLine()
    {
        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c> and indents.</summary>
    public SourceWriter OpenBlock()
    {
        WriteLine("{");
        Indentation++;
        return this;
    }

    /// <summary>Unindents and writes <c>}</c> followed by <paramref name="suffix"/>.</summary>
    public SourceWriter CloseBlock(string suffix = "")
    {
        if (Indentation == 0)
        {
            throw new InvalidOperationException("no block is open");
        }
        Indentation--;
        WriteLine("}" + suffix);
        return this;
    }

    /// <summary>Indents by one more level.</summary>
    public SourceWriter Indent()
    {
        Indentation++;
        return this;
    }

    /// <summary>Indents by one less level.</summary>
    public SourceWriter Unindent()
    {
        Indentation--;
        return this;
    }

    /// <summary>The text written so far.</summary>
    public override string ToString() => _builder.ToString();

    /// <summary>The text written so far, as UTF-8 source text.</summary>
    public SourceText ToSourceText() => SourceText.From(_builder.ToString(), Encoding.UTF8);

    private void WriteIndentedLine(string line)
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < Indentation; i++)
            {
                _builder.Append(IndentUnit);
            }
            _builder.Append(line);
        }
        _builder.Append('\n');
    }
}
