/**
 * The generated datasets by name, as `gradstream train --dataset NAME` asks for them. All are 2-D
 * (`X` is `[2, m]`), seeded, and labelled by class.
 *
 * @example
 * generateDataset("moons", { m: 400, seed: 1 });
 * DATASET_NAMES // ["flower", "moons", "circles", "xor", "spiral"]
 */
import { GradstreamError } from "../errors.ts";
import type { LabelledSet } from "./labelledSet.ts";
import type { GeneratorOptions } from "./generatorOptions.ts";
import { planarFlower } from "./planarFlower.ts";
import { moons } from "./moons.ts";
import { circles } from "./circles.ts";
import { xor } from "./xor.ts";
import { spiral } from "./spiral.ts";

const GENERATORS: Readonly<Record<string, (options: GeneratorOptions) => LabelledSet>> = { flower: planarFlower, moons, circles, xor, spiral };
/** Other names users reach for. */
const ALIASES: Readonly<Record<string, string>> = { planar: "flower", "planar-flower": "flower" };

export const DATASET_NAMES: readonly string[] = Object.keys(GENERATORS);

export function generateDataset(name: string, options: GeneratorOptions = {}): LabelledSet {
  const key = Object.hasOwn(ALIASES, name) ? ALIASES[name] : name;
  if (!Object.hasOwn(GENERATORS, key)) throw new GradstreamError("USAGE", `unknown dataset '${name}': choose one of ${DATASET_NAMES.join(", ")}`);
  return GENERATORS[key](options);
}
