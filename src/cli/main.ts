/**
 * The `gradstream` command line. Exit status: 0 ok, 1 a check failed, 2 bad input or usage. A user's
 * mistake prints its message (file, node, field) and never a stack trace.
 */
import { Command, CommanderError } from "commander";
import { GradstreamError } from "../errors.ts";
import { escapeControls } from "../escapeControls.ts";
/** 3 is not in the contract: it tells a script that gradstream itself failed (a bug), not a check or its input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, internal: 3 } as const;

/**
 * Each command's module, loaded on demand: `gradstream run` need not load training, verification and the
 * explorer (about 0.35 s of start-up, most of it compiling their TypeScript). Only the top-level help loads all.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import("./run.ts")).runCommand(),
  grad: async () => (await import("./grad.ts")).gradCommand(),
  explain: async () => (await import("./explain.ts")).explainCommand(),
  check: async () => (await import("./check.ts")).checkCommand(),
  split: async () => (await import("./split.ts")).splitCommand(),
  watch: async () => (await import("./watch.ts")).watchCommand(),
  render: async () => (await import("./render.ts")).renderCommand(),
  serve: async () => (await import("./serve.ts")).serveCommand(),
  train: async () => (await import("./train.ts")).trainCommand(),
};

/** commander's errors quote the argument they refuse: shown with control and bidi characters escaped, line by line. */
const QUOTING_ARGUMENTS_SAFELY = {
  outputError: (text: string, write: (text: string) => void) => write(text.split("\n").map((line) => escapeControls(line)).join("\n")),
};

/** The package's version (tests/cli/cli.test.ts keeps it equal to package.json's). */
export const VERSION = "0.1.0";

/**
 * The program with the command `argv` names; with no command for `--version`; with every command
 * otherwise (the top-level help lists them all).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("gradstream")
    .description("Neural networks as graph files; values and gradients as live streams; where the 1/m of backprop goes.")
    .version(VERSION)
    .showHelpAfterError("(add --help for usage)")
    .configureOutput(QUOTING_ARGUMENTS_SAFELY)
    .exitOverride();
  const asksVersion = argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V");
  const named = asksVersion ? [] : argv[0] !== undefined && Object.hasOwn(COMMANDS, argv[0]) ? [argv[0]] : Object.keys(COMMANDS);
  for (const cmd of await Promise.all(named.map((name) => COMMANDS[name]()))) program.addCommand(cmd.exitOverride().showHelpAfterError("(add --help for usage)").configureOutput(QUOTING_ARGUMENTS_SAFELY));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  return runProgram(await buildProgram(argv), argv);
}

/**
 * Runs a program built like `buildProgram`'s and maps how it ends to the exit status: a user's mistake
 * prints its message (2, or 1 for a failed check or computation), anything else is gradstream's own bug
 * (3, with the stack). Separate from `main` so tests can run a deliberately broken command through it.
 */
export async function runProgram(program: Command, argv: string[]): Promise<number> {
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
    // A bug of gradstream's own, not the user's mistake: the stack helps the report (escaped: it may quote the file).
    console.error(`gradstream: internal error (please report it): ${escapeControls(String((e as Error)?.stack ?? e), 4000)}`);
    return EXIT.internal;
  }
}
