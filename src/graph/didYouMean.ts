/**
 * "did you mean 'sigmoid'?" for a misspelt name: the known names closest to it by edit distance
 * (Levenshtein, by fastest-levenshtein), if close enough to be a typo — at most a third of the name's
 * length, and at least one edit from two characters on (every one-letter id is one edit from any other).
 * A name that differs only in case is always a match. Ties are all named
 * (at most three), so the suggestion never picks one of two equally likely names at random.
 *
 * @example
 * didYouMean("sigmod", opNames())          // "did you mean 'sigmoid'?"
 * didYouMean("Q1", ["W1", "Z1", "b1"])     // "did you mean 'W1' or 'Z1'?"
 * didYouMean("conv2d", opNames())          // undefined
 */
import { distance } from "fastest-levenshtein";

/** Past this length a name is not a typo of a short one, and the distance would cost for nothing. */
const MAX_COMPARED_LENGTH = 64;

export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  if (name.length > MAX_COMPARED_LENGTH) return undefined;
  const limit = name.length < 2 ? 0 : Math.max(1, Math.floor(name.length / 3));
  let best: string[] = [];
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate.toLowerCase() === name.toLowerCase()) return `did you mean '${candidate}'?`;
    if (limit === 0 || Math.abs(candidate.length - name.length) > limit) continue;
    const d = distance(name, candidate);
    if (d > limit || d > bestDistance) continue;
    if (d < bestDistance) (best = []), (bestDistance = d);
    best.push(candidate);
  }
  if (!best.length) return undefined;
  const named = best.slice(0, 3).map((c) => `'${c}'`);
  return `did you mean ${named.length > 1 ? `${named.slice(0, -1).join(", ")} or ${named.at(-1)}` : named[0]}?`;
}
