using System.Text.RegularExpressions;

namespace Notifier.Tests.Infra;

/// <summary>
/// A small reader for the Bicep we write: top-level declarations (param, var, resource, module, output),
/// object literals and identifier uses. Not a compiler: it understands the subset of the language that
/// infra/ uses (no loops, no user-defined functions) and fails loudly on a <c>for</c> loop it cannot read.
/// </summary>
internal sealed partial class BicepFile
{
    private BicepFile(string path, string text)
    {
        Path = path;
        Text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        Code = BicepCode.Mask(Text);
        All = new BicepSpan(Text, Code);
        Parameters = ReadParameters();
        Variables = ReadVariables();
        Resources = ReadResources();
        Modules = ReadModules();
        Outputs = ReadOutputs();
    }

    public string Path { get; }

    public string Text { get; }

    /// <summary>The text with comments and string contents blanked (see <see cref="BicepCode"/>).</summary>
    public string Code { get; }

    public BicepSpan All { get; }

    public IReadOnlyList<BicepParameter> Parameters { get; }

    public IReadOnlyList<BicepVariable> Variables { get; }

    public IReadOnlyList<BicepResource> Resources { get; }

    public IReadOnlyList<BicepModule> Modules { get; }

    public IReadOnlyList<BicepOutput> Outputs { get; }

    public static BicepFile Load(string path) => new(path, File.ReadAllText(path));

    public static BicepFile Parse(string text, string path = "inline.bicep") => new(path, text);

    public BicepParameter? Parameter(string name) => Parameters.FirstOrDefault(p => p.Name == name);

    public BicepVariable? Variable(string name) => Variables.FirstOrDefault(v => v.Name == name);

    public BicepResource? Resource(string symbol) => Resources.FirstOrDefault(r => r.Symbol == symbol);

    /// <summary>
    /// How often <paramref name="identifier"/> is used as a value: declarations, object keys and property
    /// accesses (<c>x.name</c>) do not count, nor do comments and string contents (interpolations do).
    /// </summary>
    public int UsesOf(string identifier)
    {
        var uses = 0;
        foreach (Match match in Regex.Matches(Code, $@"(?<![\w.]){Regex.Escape(identifier)}(?!\w)", RegexOptions.CultureInvariant))
        {
            if (!IsDeclaration(match.Index) && !IsObjectKey(match.Index, match.Length))
            {
                uses++;
            }
        }

        return uses;
    }

    /// <summary>
    /// Every <c>key: value</c> of every object literal anywhere in the file (code only, not comments or
    /// strings), e.g. the app settings spread over several variables.
    /// </summary>
    public IReadOnlyList<BicepProperty> ObjectEntries()
    {
        var entries = new List<BicepProperty>();
        foreach (Match match in ObjectKey().Matches(Code))
        {
            var start = match.Index + match.Length;
            var end = BicepCode.ExpressionEnd(Code, start, Code.Length);
            var separator = Code.IndexOf(',', start, end - start);
            if (separator >= 0 && !Code.AsSpan(start, separator - start).ContainsAny("([{"))
            {
                end = separator;
            }

            entries.Add(new BicepProperty(match.Groups["key"].Value, All.Slice(start, end)));
        }

        return entries;
    }

    private bool IsDeclaration(int index)
    {
        var lineStart = Code.LastIndexOf('\n', Math.Max(0, index - 1)) + 1;
        var prefix = Code[lineStart..index].Trim();
        return prefix is "param" or "var" or "resource" or "module" or "output";
    }

    private bool IsObjectKey(int index, int length)
    {
        var after = index + length;
        while (after < Code.Length && Code[after] is ' ' or '\t')
        {
            after++;
        }

        if (after >= Code.Length || Code[after] != ':')
        {
            return false;
        }

        var before = index - 1;
        while (before >= 0 && Code[before] is ' ' or '\t')
        {
            before--;
        }

        return before < 0 || Code[before] is '\n' or '{' or ',';
    }

    private int LineOf(int index) => Text.AsSpan(0, index).Count('\n') + 1;

    /// <summary>True when the declaration keyword at <paramref name="index"/> is code, not comment or string.</summary>
    private bool IsCode(int index) => Code[index] == Text[index];

    private string LeadingComment(int index)
    {
        var previousLineEnd = Text.LastIndexOf('\n', Math.Max(0, index - 1));
        if (previousLineEnd <= 0)
        {
            return string.Empty;
        }

        var lines = Text[..previousLineEnd].Split('\n');
        var comment = new List<string>();
        for (var i = lines.Length - 1; i >= 0; i--)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith("//", StringComparison.Ordinal))
            {
                break;
            }

            comment.Insert(0, line[2..].Trim());
        }

        return string.Join(' ', comment);
    }

    private List<BicepParameter> ReadParameters()
    {
        var parameters = new List<BicepParameter>();
        foreach (Match match in ParameterDeclaration().Matches(Text))
        {
            if (!IsCode(match.Groups["keyword"].Index))
            {
                continue;
            }

            var afterType = match.Index + match.Length;
            var lineEnd = BicepCode.ExpressionEnd(Code, afterType, Code.Length);
            var equals = Code.IndexOf('=', afterType, lineEnd - afterType);
            BicepSpan? defaultValue = null;
            if (equals >= 0)
            {
                defaultValue = All.Slice(equals + 1, BicepCode.ExpressionEnd(Code, equals + 1, Code.Length));
            }

            parameters.Add(new BicepParameter(match.Groups["name"].Value, match.Groups["type"].Value, defaultValue, LineOf(match.Index)));
        }

        return parameters;
    }

    private List<BicepVariable> ReadVariables()
    {
        var variables = new List<BicepVariable>();
        foreach (Match match in VariableDeclaration().Matches(Text))
        {
            if (!IsCode(match.Groups["keyword"].Index))
            {
                continue;
            }

            var start = match.Index + match.Length;
            var value = All.Slice(start, BicepCode.ExpressionEnd(Code, start, Code.Length));
            variables.Add(new BicepVariable(match.Groups["name"].Value, value, LeadingComment(match.Index), LineOf(match.Index)));
        }

        return variables;
    }

    private List<BicepResource> ReadResources()
    {
        var resources = new List<BicepResource>();
        foreach (Match match in ResourceDeclaration().Matches(Text))
        {
            if (!IsCode(match.Groups["keyword"].Index))
            {
                continue;
            }

            var (condition, body) = ReadDeclarationBody(match.Index + match.Length, match.Groups["symbol"].Value);
            resources.Add(new BicepResource(
                match.Groups["symbol"].Value,
                match.Groups["type"].Value,
                match.Groups["version"].Value,
                match.Groups["existing"].Success,
                condition,
                body,
                LineOf(match.Index)));
        }

        return resources;
    }

    private List<BicepModule> ReadModules()
    {
        var modules = new List<BicepModule>();
        foreach (Match match in ModuleDeclaration().Matches(Text))
        {
            if (!IsCode(match.Groups["keyword"].Index))
            {
                continue;
            }

            var (_, body) = ReadDeclarationBody(match.Index + match.Length, match.Groups["symbol"].Value);
            modules.Add(new BicepModule(match.Groups["symbol"].Value, match.Groups["path"].Value, body, LineOf(match.Index)));
        }

        return modules;
    }

    private List<BicepOutput> ReadOutputs()
    {
        var outputs = new List<BicepOutput>();
        foreach (Match match in OutputDeclaration().Matches(Text))
        {
            if (!IsCode(match.Groups["keyword"].Index))
            {
                continue;
            }

            var start = match.Index + match.Length;
            var value = All.Slice(start, BicepCode.ExpressionEnd(Code, start, Code.Length));
            outputs.Add(new BicepOutput(match.Groups["name"].Value, match.Groups["type"].Value, value, LineOf(match.Index)));
        }

        return outputs;
    }

    /// <summary>After <c>= </c>: an optional <c>if (condition)</c>, then the body object.</summary>
    private (string? Condition, BicepSpan Body) ReadDeclarationBody(int start, string symbol)
    {
        var i = SkipSpace(start);
        string? condition = null;
        if (Code.AsSpan(i).StartsWith("if", StringComparison.Ordinal) && !char.IsLetterOrDigit(Code[i + 2]))
        {
            var open = Code.IndexOf('(', i);
            var close = BicepCode.MatchingBracket(Code, open);
            condition = BicepCode.RemoveComments(Text[(open + 1)..close]).Trim();
            i = SkipSpace(close + 1);
        }

        if (Code[i] != '{')
        {
            throw new NotSupportedException(
                $"{Path}:{LineOf(i)}: '{symbol}' is not a plain object declaration (loops are not supported by this reader).");
        }

        return (condition, All.Slice(i, BicepCode.MatchingBracket(Code, i) + 1));
    }

    private int SkipSpace(int i)
    {
        while (i < Code.Length && char.IsWhiteSpace(Code[i]))
        {
            i++;
        }

        return i;
    }

    [GeneratedRegex(@"^[ \t]*(?<keyword>param)[ \t]+(?<name>\w+)[ \t]+(?<type>\w+(?:\[\])?)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ParameterDeclaration();

    [GeneratedRegex(@"^[ \t]*(?<keyword>var)[ \t]+(?<name>\w+)[ \t]*=", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex VariableDeclaration();

    [GeneratedRegex(@"^[ \t]*(?<keyword>resource)[ \t]+(?<symbol>\w+)[ \t]+'(?<type>[^'@]+)@(?<version>[^']+)'[ \t]*(?<existing>existing)?[ \t]*=", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ResourceDeclaration();

    [GeneratedRegex(@"^[ \t]*(?<keyword>module)[ \t]+(?<symbol>\w+)[ \t]+'(?<path>[^']+)'[ \t]*=", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ModuleDeclaration();

    [GeneratedRegex(@"^[ \t]*(?<keyword>output)[ \t]+(?<name>\w+)[ \t]+(?<type>\w+)[ \t]*=", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex OutputDeclaration();

    [GeneratedRegex(@"(?<=(?:^|\n|\{|,)[ \t]*)(?<key>[A-Za-z_]\w*)[ \t]*:", RegexOptions.CultureInvariant)]
    private static partial Regex ObjectKey();
}
