/** Option parsers shared by the commands: integers are checked, with a message naming the option. */
import { InvalidArgumentError, Option } from "commander";
import { DEFAULT_MAX_MEMORY } from "../graph/memoryBudget.ts";

export function positiveInt(name: string, max = 1 << 20) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be an integer from 1 to ${max}, got '${value}'`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${value}'`);
    return n;
  };
}

const UNITS: Record<string, number> = { "": 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * A size in bytes from "512M", "2G", "1.5GiB", "64MB" or "1000000": binary units (1K = 1024), case and a
 * trailing "B" or "iB" ignored. At least 1 MiB.
 *
 * @example
 * memorySize("512M") // 536870912
 */
export function memorySize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value);
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[match[2].toUpperCase()]) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 2 ** 20) throw new InvalidArgumentError(`--max-memory is a size of at least 1M, such as 512M or 2G (K, M, G, T: powers of 1024), got '${value}'`);
  return bytes;
}

/** `--max-memory <size>`, the memory budget of a command that allocates tensors (default 1 GiB). */
export function maxMemoryOption(): Option {
  return new Option("--max-memory <size>", "the memory its tensors may take, e.g. 512M or 2G; over it the command stops before allocating (exit 2)")
    .argParser(memorySize)
    .default(DEFAULT_MAX_MEMORY, "1G");
}
