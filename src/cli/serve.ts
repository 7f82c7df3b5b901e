/**
 * `gradstream serve <graph>`: the live explorer page. Prints its URL, then serves until Ctrl-C. The page
 * runs the runtime in the browser; the server sends the graph, the data and the elkjs layout, and tells
 * the page when the graph or data file changes.
 */
import { Command, InvalidArgumentError } from "commander";
import { maxMemoryOption, nonNegativeInt, positiveInt } from "./options.ts";
import { display } from "./format.ts";

interface ServeOptions {
  data?: string;
  seed: number;
  m: number;
  port: number;
  host: string;
  watch: boolean;
  maxMemory: number;
}

export function serveCommand(): Command {
  return new Command("serve")
    .description("live explorer page: edit inputs and params, change m or the data (generated datasets with a test set for 2-D classifiers), train with sgd, momentum or adam; values, gradients, the cost, the decision boundary and the 1/m update as you go")
    .argument("<graph>", "graph file (.yaml, .yml or .json)")
    .option("--data <file>", "data file (JSON) with inputs and optionally params")
    .option("--seed <n>", "seed for params absent from the data, and for random inputs", nonNegativeInt("--seed"), 1)
    .option("--m <n>", "batch size of the random inputs used when there is no --data", positiveInt("--m", 4096), 4)
    .option("--port <n>", "port to listen on; 0 picks a free one", portNumber, 5178)
    .option("--host <host>", "address to listen on (only this machine by default; 0.0.0.0 exposes it to your network)", "127.0.0.1")
    .option("--no-watch", "do not reload when the graph or data file changes")
    .addOption(maxMemoryOption())
    .action(async (graphPath: string, opts: ServeOptions) => {
      // Loaded here, not at the top: the server and the layout (elkjs) are for this command only.
      const { startExplorerServer } = await import("../view/explorerServer.ts");
      const server = await startExplorerServer({ graphPath, dataPath: opts.data, seed: opts.seed, m: opts.m, maxMemory: opts.maxMemory, port: opts.port, host: opts.host, watch: opts.watch, log: (message) => console.error(message) });
      console.log(`gradstream explorer: ${display(server.url)}`);
      if (!["127.0.0.1", "::1", "localhost"].includes(opts.host)) console.error(`warning: listening on ${display(opts.host)}; anyone who can reach it can read the graph and data files`);
      console.error("(Ctrl-C to stop)");
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await server.close();
    });
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got '${value}'`);
  return n;
}
