using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Fleet.Chat.Benchmarks;
using Fleet.Nats;
using Fleet.TestUtilities;

// Chat relay vs raw NATS fan-out, same topology and message size, one run. Usage:
//   dotnet run -c Release --project bench/Fleet.Chat.Benchmarks -- [clients=40] [messagesPerClient=25] [bodyBytes=128] [idle=1000]
var clients = Arg(0, 40);
var perClient = Arg(1, 25);
var bodyBytes = Arg(2, 128);
var idle = Arg(3, 1000);
const int RoomSize = 10;

var mysql = new MySqlFixture();
var nats = new NatsServerFixture();
await mysql.InitializeAsync();
await nats.InitializeAsync();
using var logs = new TempDirectory("chat-bench");
var db = await mysql.CreateDatabaseAsync("chatbench");
using var first = WorkerProcess.Start(nats.Url, db, logs.Path);
using var second = WorkerProcess.Start(nats.Url, db, logs.Path);
using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
await first.WaitReadyAsync(cts.Token);
await second.WaitReadyAsync(cts.Token);

Console.WriteLine($"commit {Git("rev-parse --short HEAD")}, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}");
Console.WriteLine($"{clients} clients over 2 instances, rooms of {RoomSize}, {perClient} messages each, body {bodyBytes} B");

var chat = await ChatRun.RunAsync([first, second], clients, RoomSize, perClient, bodyBytes, cts.Token);
var raw = await RawNatsRun.RunAsync(nats.Url, clients, RoomSize, perClient, bodyBytes, cts.Token);
Print("chat relay", chat);
Print("raw NATS fan-out", raw);
Console.WriteLine($"ratio chat/raw delivered msgs/s: {chat.Rate / raw.Rate:F3}");

var before = first.RssBytes();
var held = new List<ClientWebSocket>();
for (var i = 0; i < idle; i++)
{
    held.Add(await ChatRun.ConnectAsync(first.WebSocketUri, $"idle{i}", cts.Token));
}

GC.KeepAlive(held);
await Task.Delay(2000, cts.Token);
var after = first.RssBytes();
var perConnection = (after - before) / (double)idle;
Console.WriteLine($"idle: {idle} connections grew one instance's RSS {before / 1048576.0:F1} -> {after / 1048576.0:F1} MiB, {perConnection / 1024:F1} KiB each; " +
    $"256 MiB holds ~{(256.0 * 1048576 - before) / perConnection:F0} idle connections");
foreach (var socket in held)
{
    socket.Abort();
    socket.Dispose();
}

await nats.DisposeAsync();
await mysql.DisposeAsync();
return 0;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

static void Print(string name, RunResult result) => Console.WriteLine(
    $"{name,-18} delivered {result.Delivered} in {result.Elapsed.TotalSeconds:F2}s = {result.Rate:F0} msgs/s; send->receive p50 {result.P50:F2} ms, p99 {result.P99:F2} ms");

static string Git(string arguments)
{
    using var git = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, UseShellExecute = false })!;
    var output = git.StandardOutput.ReadToEnd().Trim();
    git.WaitForExit();
    return output;
}
