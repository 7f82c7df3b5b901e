/**
 * Writes the JSON Schema of graph files (generated from the zod schema the loader validates with) to
 * `schema/gradstream.schema.json`, the file editors read. Run by `npm run schema`; a test checks that
 * the shipped file is what this writes, so the two cannot drift apart.
 *
 * @example
 * // in a graph file, for completion and checking in editors with a YAML language server:
 * // # yaml-language-server: $schema=../schema/gradstream.schema.json
 * await writeJsonSchema(); // or: npm run schema
 */
import { writeFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { graphJsonSchema } from "./schema.ts";

/** Where the schema is shipped, relative to the repository root. */
export const JSON_SCHEMA_PATH = fileURLToPath(new URL("../../schema/gradstream.schema.json", import.meta.url));

/** The file's exact text: two-space indented JSON and a final newline. */
export function jsonSchemaText(): string {
  return JSON.stringify(graphJsonSchema(), null, 2) + "\n";
}

export async function writeJsonSchema(path: string = JSON_SCHEMA_PATH): Promise<string> {
  await writeFile(path, jsonSchemaText());
  return path;
}

// Run as a script (`tsx src/graph/writeJsonSchema.ts`), not when imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`wrote ${await writeJsonSchema()}`);
}
