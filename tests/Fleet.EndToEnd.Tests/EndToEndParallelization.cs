// The local and the simulated fleet each bring up LXC containers, MySQL and HAProxy on a shared 2-core machine;
// run their collections one after the other instead of fighting over the cores (and the apt/dotnet locks).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
