/**
 * How `gradstream train` shows its progress: on a terminal, a cli-progress bar on stderr with the
 * iteration, the current cost and the rate, with the periodic cost lines printed above it; elsewhere
 * (a pipe, a log file, CI), the cost lines on stdout and a few plain progress lines on stderr.
 *
 * @example
 * const progress = trainProgress(10_000);
 * progress.update(step + 1, loss); progress.log("Cost after iteration 1000: 0.288"); progress.stop();
 */
import cliProgress from "cli-progress";

export interface TrainProgress {
  /** `done` steps finished, the latest cost. */
  update(done: number, loss: number): void;
  /** A line for the user (stdout), printed without tearing the bar. */
  log(line: string): void;
  stop(): void;
}

/** Plain progress lines when stderr is not a terminal: at these fractions of the run. */
const PLAIN_MARKS = [0.25, 0.5, 0.75];

export function trainProgress(total: number, stderr: NodeJS.WriteStream = process.stderr, stdout: NodeJS.WriteStream = process.stdout): TrainProgress {
  const started = performance.now();
  const rate = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    return seconds > 0 ? Math.round(done / seconds) : 0;
  };
  if (stderr.isTTY) {
    const bars = new cliProgress.MultiBar(
      {
        stream: stderr,
        format: "training |{bar}| {value}/{total} it | cost {loss} | {rate} it/s | eta {eta_formatted}",
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = bars.create(total, 0, { loss: "–", rate: 0 });
    return {
      update: (done, loss) => bar.update(done, { loss: loss.toPrecision(6), rate: rate(done) }),
      // Both streams on one terminal: the bar's own log keeps the line above the bar. stdout redirected
      // elsewhere: write there directly, the bar is not in the way.
      log: (line) => (stdout.isTTY ? bars.log(line + "\n") : console.log(line)),
      stop: () => bars.stop(),
    };
  }
  let mark = 0;
  return {
    update: (done, loss) => {
      while (mark < PLAIN_MARKS.length && done >= PLAIN_MARKS[mark] * total && done < total) {
        stderr.write(`training: ${done}/${total} iterations, cost ${loss.toPrecision(6)}, ${rate(done)} it/s\n`);
        mark++;
      }
    },
    log: (line) => console.log(line),
    stop: () => {},
  };
}
