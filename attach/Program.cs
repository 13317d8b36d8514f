using S2cAttach;

return await Cli.RunAsync(args).ConfigureAwait(false);
