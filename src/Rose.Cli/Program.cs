// `rose`: the command-line adapter over Rose.Core. The command tree lives in RoseCli so tests can
// run it in-process with their own streams.
return Rose.Cli.RoseCli.Run(args, Console.In, Console.Out, Console.Error);
