/**
 * The `gradstream` command line. Exit status: 0 ok, 1 a check failed, 2 bad input or usage. A user's
 * mistake prints its message (file, node, field) and never a stack trace.
 */
import { Command, CommanderError } from "commander";
import { GradstreamError } from "../errors.ts";
import { runCommand } from "./run.ts";
import { gradCommand } from "./grad.ts";
import { explainCommand } from "./explain.ts";
import { checkCommand } from "./check.ts";
import { watchCommand } from "./watch.ts";
import { renderCommand } from "./render.ts";
import { serveCommand } from "./serve.ts";
import { trainCommand } from "./train.ts";

/** 3 is not in the contract: it tells a script that gradstream itself failed (a bug), not a check or its input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3 } as const;

export function buildProgram(): Command {
  const program = new Command("gradstream")
    .description("Neural networks as graph files; values and gradients as live streams; where the 1/m of backprop goes.")
    .version("0.1.0")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride();
  const commands = [
    runCommand(),
    gradCommand(),
    explainCommand(),
    checkCommand(),
    watchCommand(),
    renderCommand(),
    serveCommand(),
    trainCommand(),
  ];
  for (const cmd of commands) program.addCommand(cmd.exitOverride().showHelpAfterError("(add --help for usage)"));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version end "successfully"; everything else commander rejects is a usage error
      return e.exitCode === 0 || e.code === "commander.helpDisplayed" || e.code === "commander.version" ? EXIT.ok : EXIT.badInput;
    }
    if (e instanceof GradstreamError) {
      console.error(e.message);
      return e.code === "COMPUTE" ? EXIT.failed : EXIT.badInput;
    }
    console.error(`gradstream: internal error (please report it): ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  }
}
