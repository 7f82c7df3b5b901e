/**
 * The graph-file format as a zod schema: the single source of truth for validation and for the JSON Schema
 * shipped for editors (`schema/gradstream.schema.json`, written by `npm run schema`).
 *
 * @example
 * const parsed = graphFileSchema.safeParse(yaml.parse(text));
 */
import { z } from "zod";
import { MAX_ELEMENTS } from "../tensor/tensor.ts";
import { RESERVED_IDS } from "../errors.ts";
import { opNames } from "../ops/registry.ts";

/** The largest size of one dimension a graph file may declare. */
export const MAX_DIM = 1 << 20;

/** The largest standard deviation of a `normal` init whose draws stay finite. */
export const MAX_NORMAL_STD = 1e307;

export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const idSchema = z
  .string()
  .regex(ID_PATTERN, { message: "an id must be an identifier: a letter or _ then letters, digits or _" })
  .refine((id) => !RESERVED_IDS.has(id), { message: `this id is reserved (${[...RESERVED_IDS].join(", ")})` });

const size = z.number({ message: "a dimension is a positive integer" }).int({ message: "a dimension is a positive integer" }).positive({ message: "a dimension is a positive integer" }).max(MAX_DIM, { message: `a dimension may be at most ${MAX_DIM}` });
const paramSize = z.number({ message: "a param's dimension is a positive integer (params never contain the batch size m)" }).pipe(size);
const dim = z.union([size, z.literal("m")], { message: "a dimension is a positive integer or the batch symbol m" });

export const initSchema = z.union(
  [
    z.enum(["zeros", "he", "xavier"]),
    // Bounds that keep every draw finite: a normal draw is at most ~6.7 standard deviations (Box–Muller on
    // 32-bit uniforms), and a uniform one is lo + (hi − lo)·u, which needs hi − lo finite.
    z.strictObject({ normal: z.number().positive().max(MAX_NORMAL_STD, { message: `normal: the standard deviation may be at most ${MAX_NORMAL_STD} (larger draws overflow float64)` }).describe("standard deviation") }),
    z.strictObject({
      uniform: z
        .tuple([z.number(), z.number()])
        .refine(([lo, hi]) => lo < hi, { message: "uniform: lo must be below hi" })
        .refine(([lo, hi]) => Number.isFinite(hi - lo), { message: "uniform: hi − lo overflows float64; draws from it would be infinite" }),
    }),
  ],
  { message: "init is zeros, he, xavier, { normal: std } or { uniform: [lo, hi] }" },
);

export const inputSchema = z.strictObject({
  shape: z.tuple([dim, dim]).describe("[rows, cols]; cols is usually m, the batch size"),
  description: z.string().optional(),
});

export const paramSchema = z
  .strictObject({
    shape: z.tuple([paramSize, paramSize]).describe("[rows, cols]; never contains m"),
    init: initSchema.optional().describe("default { normal: 0.01 }, the course's initialisation"),
    description: z.string().optional(),
  })
  .refine((p) => p.shape[0] * p.shape[1] <= MAX_ELEMENTS, { message: `a param may have at most ${MAX_ELEMENTS} elements`, path: ["shape"] });

export const nodeSchema = z
  .object({
    op: z.string().describe(`an op name: ${opNames().join(", ")}`),
    in: z.array(z.string()).min(1, { message: "a node needs at least one input" }).describe("operand ids, in order"),
    description: z.string().optional(),
  })
  .catchall(z.unknown().describe("op attributes, e.g. alpha for leaky_relu"));

export const graphFileSchema = z.strictObject({
  gradstream: z.literal(1, { message: "the format version 'gradstream: 1' is required" }),
  name: z.string().min(1),
  description: z.string().optional(),
  inputs: z.record(idSchema, inputSchema),
  params: z.record(idSchema, paramSchema).optional(),
  nodes: z.record(idSchema, nodeSchema),
  loss: z.string().describe("id of the scalar node gradients are taken of"),
});

export type GraphFile = z.infer<typeof graphFileSchema>;
export type InitSpec = z.infer<typeof initSchema>;

/** The JSON Schema for editors, generated from the same schema the loader uses. */
export function graphJsonSchema(): Record<string, unknown> {
  return {
    $id: "https://gradstream.dev/schema/gradstream.schema.json",
    title: "gradstream graph file",
    // io "output": a param dimension is `z.number().pipe(size)`, and only the output side of the pipe says "positive integer".
    ...z.toJSONSchema(graphFileSchema, { io: "output", unrepresentable: "any" }),
  };
}
