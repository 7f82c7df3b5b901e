/**
 * The JSON Schema shipped for editors (schema/gradstream.schema.json) is exactly what
 * src/graph/writeJsonSchema.ts generates from the loader's zod schema, and it accepts every shipped graph
 * and refuses broken ones (read back with zod's own JSON Schema reader, so no validator is added).
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { JSON_SCHEMA_PATH, jsonSchemaText } from "../../src/graph/writeJsonSchema.ts";

const shipped = readFileSync(JSON_SCHEMA_PATH, "utf8");
const GRAPHS_DIR = join(import.meta.dirname, "../../graphs");

it("the shipped file is the generated one (run `npm run schema` after changing src/graph/schema.ts)", () => {
  expect(shipped).toBe(jsonSchemaText());
});

it("is a 2020-12 JSON Schema with an $id", () => {
  const schema = JSON.parse(shipped);
  expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  expect(schema.$id).toMatch(/gradstream\.schema\.json$/);
  expect(schema.required).toEqual(["gradstream", "name", "inputs", "nodes", "loss"]);
});

describe("validating with it", () => {
  // the generated schema, which the first test shows is the shipped one
  const validator = z.fromJSONSchema(JSON.parse(jsonSchemaText()));
  const planar = parseYaml(readFileSync(join(GRAPHS_DIR, "planar-tanh.yaml"), "utf8"));

  it.each(readdirSync(GRAPHS_DIR).filter((f) => /\.(ya?ml|json)$/.test(f)))("accepts graphs/%s", (file) => {
    const result = validator.safeParse(parseYaml(readFileSync(join(GRAPHS_DIR, file), "utf8")));
    expect(result.error?.issues ?? []).toEqual([]);
  });

  it("refuses a missing version, an unknown field, a bad id and a param with m", () => {
    const { gradstream: _v, ...noVersion } = planar;
    expect(validator.safeParse(noVersion).success).toBe(false);
    expect(validator.safeParse({ ...planar, colour: "red" }).success).toBe(false);
    expect(validator.safeParse({ ...planar, inputs: { ...planar.inputs, "1bad": { shape: [1, "m"] } } }).success).toBe(false);
    expect(validator.safeParse({ ...planar, params: { ...planar.params, W1: { shape: [4, "m"] } } }).success).toBe(false);
  });

  // regression: the schema was generated from the input side of `z.number().pipe(size)`, so editors
  // accepted any number as a param's dimension
  it("refuses a param dimension that is not a positive integer", () => {
    expect(validator.safeParse({ ...planar, params: { ...planar.params, W1: { shape: [4, 2.5] } } }).success).toBe(false);
    expect(validator.safeParse({ ...planar, params: { ...planar.params, W1: { shape: [0, 2] } } }).success).toBe(false);
  });
});
