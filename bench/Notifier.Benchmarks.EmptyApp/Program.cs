// An empty custom handler: answers the host's poll and every invocation with an empty result.
using System.Net;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, int.Parse(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT")!, System.Globalization.CultureInfo.InvariantCulture)));
var app = builder.Build();
app.MapGet("/", () => "ok");
app.MapPost("/{function}", () => Results.Text("{\"Outputs\":{},\"Logs\":[],\"ReturnValue\":null}", "application/json"));
app.Run();
