/**
 * Continuous training that keeps the page responsive. Steps run in short slices, each its own task
 * (scheduled through a MessageChannel, as React's scheduler does), so the browser renders and handles
 * input between any two slices; the page draws once per animation frame, apart from the steps. No task
 * holds the main thread for long, whatever the speed of a step (a slice takes at least one step).
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
  /** Once per animation frame while playing: draw. */
  frame(): void;
  /** A step threw (a bad learning rate, a value that overflowed): training has paused. */
  fail(error: unknown): void;
  /** Play or pause happened. */
  changed?(playing: boolean): void;
  /** Time for steps per slice, ms. Default 4. */
  sliceMs?: number;
}

export function createTrainingLoop(options: TrainingLoopOptions): TrainingLoop {
  const slice = options.sliceMs ?? 4;
  let running = false;
  let frameHandle = 0;
  const channel = new MessageChannel();

  channel.port1.onmessage = () => {
    if (!running) return;
    const start = performance.now();
    try {
      do options.step();
      while (performance.now() - start < slice);
    } catch (e) {
      pause();
      options.fail(e);
      return;
    }
    channel.port2.postMessage(null);
  };
  const frame = () => {
    if (!running) return;
    options.frame();
    frameHandle = requestAnimationFrame(frame);
  };
  const pause = () => {
    if (!running) return;
    running = false;
    cancelAnimationFrame(frameHandle);
    options.changed?.(false);
  };
  return {
    play() {
      if (running) return;
      running = true;
      options.changed?.(true);
      channel.port2.postMessage(null);
      frameHandle = requestAnimationFrame(frame);
    },
    pause,
    playing: () => running,
  };
}
