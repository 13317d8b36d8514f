using S2cd.Hosting;

return await DaemonProgram.RunAsync(args).ConfigureAwait(false);
