/**
 * Continuous training that keeps the page responsive: on each animation frame it takes optimizer steps
 * for at most `budgetMs`, then lets the page draw once. A frame's work stays far under the 50 ms that
 * makes a long task, whatever the speed of a step (one step at least per frame).
 *
 * @example
 * const loop = createTrainingLoop({ step: () => session.step(lr, 1, "adam"), frame: redraw, fail: showError });
 * loop.play(); … loop.pause();
 */
export interface TrainingLoop {
  play(): void;
  pause(): void;
  playing(): boolean;
}

export interface TrainingLoopOptions {
  /** One optimizer step (one transaction). */
  step(): void;
  /** After each frame's steps: draw. */
  frame(): void;
  /** A step threw (a bad learning rate, a value that overflowed): training has paused. */
  fail(error: unknown): void;
  /** Play or pause happened. */
  changed?(playing: boolean): void;
  /** Time for steps per frame, ms. Default 8: with the drawing, a frame stays near 16 ms. */
  budgetMs?: number;
}

export function createTrainingLoop(options: TrainingLoopOptions): TrainingLoop {
  const budget = options.budgetMs ?? 8;
  let running = false;
  let handle = 0;

  const tick = () => {
    if (!running) return;
    const start = performance.now();
    try {
      do options.step();
      while (performance.now() - start < budget);
    } catch (e) {
      pause();
      options.fail(e);
    }
    options.frame();
    if (running) handle = requestAnimationFrame(tick);
  };
  const pause = () => {
    if (!running) return;
    running = false;
    cancelAnimationFrame(handle);
    options.changed?.(false);
  };
  return {
    play() {
      if (running) return;
      running = true;
      options.changed?.(true);
      handle = requestAnimationFrame(tick);
    },
    pause,
    playing: () => running,
  };
}
