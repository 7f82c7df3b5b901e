/**
 * The page's record of the cost: the training cost J after every update (one per runtime transaction:
 * an edit, an optimizer step, a load, a reset), the test cost where it was measured, and marks where the
 * data or the params were replaced (a new batch, another m or dataset, a reset), which split the curve:
 * costs on different data are not one descent. Only the latest `limit` updates are kept.
 *
 * @example
 * const history = createCostHistory();
 * history.record(0, 0.693, { kind: "start", label: "start" });
 * history.record(1, 0.61, { kind: "step", label: "step" });
 * history.record(2, 0.71, { kind: "load", label: "m = 7" }); // a mark at update 2
 */
import type { Change } from "./explorerSession.ts";

export interface CostMark {
  readonly update: number;
  readonly label: string;
}

export interface CostHistory {
  readonly updates: readonly number[];
  readonly train: readonly number[];
  /** Test costs, by update, in update order. */
  readonly test: readonly { readonly update: number; readonly cost: number }[];
  readonly marks: readonly CostMark[];
  record(update: number, cost: number, cause: Change): void;
  recordTest(update: number, cost: number): void;
  clear(): void;
}

export function createCostHistory(limit = 50_000): CostHistory {
  let updates: number[] = [];
  let train: number[] = [];
  let test: { update: number; cost: number }[] = [];
  let marks: CostMark[] = [];
  const trim = () => {
    if (updates.length <= limit) return;
    // Drop the oldest half at once, so trimming costs nothing per update.
    const cut = updates.length - Math.floor(limit / 2);
    updates = updates.slice(cut);
    train = train.slice(cut);
    const first = updates[0];
    test = test.filter((t) => t.update >= first);
    marks = marks.filter((m) => m.update >= first);
  };
  return {
    get updates() {
      return updates;
    },
    get train() {
      return train;
    },
    get test() {
      return test;
    },
    get marks() {
      return marks;
    },
    record(update, cost, cause) {
      updates.push(update);
      train.push(cost);
      if (cause.kind === "load" || cause.kind === "reset") marks.push({ update, label: cause.label });
      trim();
    },
    recordTest(update, cost) {
      if (test.length && test[test.length - 1].update >= update) return;
      test.push({ update, cost });
    },
    clear() {
      updates = [];
      train = [];
      test = [];
      marks = [];
    },
  };
}
