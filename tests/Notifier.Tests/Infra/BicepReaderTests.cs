namespace Notifier.Tests.Infra;

/// <summary>The Bicep reader the infra tests rely on: if it misreads, every other infra test is blind.</summary>
public sealed class BicepReaderTests
{
    [Fact]
    public void MaskBlanksCommentsAndStringContentsButKeepsInterpolations()
    {
        const string text = "var a = 'x${b}y' // c\n/* d */ var e = '''f'''";

        var code = BicepCode.Mask(text);

        Assert.Equal(text.Length, code.Length);
        Assert.Equal("var a = ' ${b} '     \n        var e = ''' '''", code);
    }

    [Fact]
    public void EscapedQuotesDoNotEndAString()
    {
        var file = BicepFile.Parse("param p string = 'it\\'s // not a comment'\nvar v = p\n");

        Assert.Equal("it's // not a comment", file.Parameter("p")!.Default!.StringLiteral);
        Assert.Equal(1, file.UsesOf("p"));
    }

    [Fact]
    public void DeclarationsAreReadWithTheirDefaultsConditionsAndComments()
    {
        var file = BicepFile.Parse("""
            @description('required')
            param required string
            param optional int = 4
            // Role X (0000): why.
            var role = '0000'
            resource r 'Microsoft.Foo/bars@2024-01-01' = if (!empty(required)) {
              name: 'bar'
            }
            module m 'modules/m.bicep' = {
              name: 'm'
              params: {
                a: optional
              }
            }
            output o string = r.name
            """);

        Assert.True(file.Parameter("required")!.IsRequired);
        Assert.Equal(4, file.Parameter("optional")!.Default!.IntegerLiteral);
        Assert.Equal("Role X (0000): why.", file.Variable("role")!.LeadingComment);
        var resource = Assert.Single(file.Resources);
        Assert.Equal(("Microsoft.Foo/bars", "2024-01-01", "!empty(required)", "bar"), (resource.Type, resource.ApiVersion, resource.Condition, resource.LiteralName));
        Assert.Equal(["a"], Assert.Single(file.Modules).PassedParameters.Select(p => p.Key));
        Assert.Equal("r.name", Assert.Single(file.Outputs).Value.Expression);
    }

    [Fact]
    public void ObjectPropertiesReadOnlyTheTopLevelOfAnObject()
    {
        var file = BicepFile.Parse("""
            var o = {
              a: { inner: 1 }
              'quoted-key': [
                'x'
              ]
              b: c ? d : e // trailing comment
            }
            """);

        var properties = file.Variable("o")!.Value.ObjectProperties();

        Assert.Equal(["a", "quoted-key", "b"], properties.Select(p => p.Key));
        Assert.Equal("c ? d : e", properties[2].Value.Expression);
    }

    [Fact]
    public void UsesIgnoreDeclarationsKeysPropertyAccessCommentsAndStrings()
    {
        var file = BicepFile.Parse("""
            param name string
            var x = {
              name: 'name'
            }
            // name
            var y = x.name
            """);

        Assert.Equal(0, file.UsesOf("name"));
        Assert.Equal(1, BicepFile.Parse("param name string\nvar z = '${name}-suffix'\n").UsesOf("name"));
    }

    [Fact]
    public void CallArgumentsSplitAtTopLevelCommasOnly()
    {
        var span = BicepFile.Parse("var g = guid(queue.id, concat('a,b', f(x, y)), role)\n").Variable("g")!.Value;

        Assert.Equal(["queue.id", "concat('a,b', f(x, y))", "role"], span.CallArguments("guid"));
        Assert.Null(span.CallArguments("uniqueString"));
    }

    [Fact]
    public void LoopDeclarationsAreRefusedInsteadOfMisread()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            BicepFile.Parse("resource qs 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [for q in queues: {\n  name: q\n}]\n"));

        Assert.Contains("'qs'", error.Message, StringComparison.Ordinal);
    }
}
